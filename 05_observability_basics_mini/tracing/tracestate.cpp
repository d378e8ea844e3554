#include "05_observability_basics_mini/tracing/tracestate.hpp"

#include <algorithm>
#include <vector>

namespace obs {
namespace {

bool IsLcAlpha(char c) noexcept { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) noexcept { return c >= '0' && c <= '9'; }
bool IsKeyChar(char c) noexcept {
  return IsLcAlpha(c) || IsDigit(c) || c == '_' || c == '-' || c == '*' || c == '/' || c == '@';
}

bool IsOws(char c) noexcept { return c == ' ' || c == '\t'; }

std::string_view TrimOws(std::string_view s) noexcept {
  while (!s.empty() && IsOws(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsOws(s.back())) s.remove_suffix(1);
  return s;
}

struct Member {
  std::string_view key;
  std::string_view text;  // "key=value"
};

// Drops whole entries until the list fits: long ones first, then from the right.
void Truncate(std::vector<Member>& members) {
  auto length = [&] {
    std::size_t n = members.empty() ? 0 : members.size() - 1;  // commas
    for (const auto& m : members) n += m.text.size();
    return n;
  };
  while (length() > kMaxTracestateLength) {
    const auto long_one = std::find_if(members.rbegin(), members.rend(), [](const Member& m) {
      return m.text.size() > kTracestateLongEntry;
    });
    if (long_one != members.rend()) {
      members.erase(std::next(long_one).base());
    } else {
      members.pop_back();
    }
  }
}

}  // namespace

bool IsValidTracestateKey(std::string_view key) noexcept {
  if (key.empty() || key.size() > 256) return false;
  if (!IsLcAlpha(key[0]) && !IsDigit(key[0])) return false;
  return std::all_of(key.begin() + 1, key.end(), IsKeyChar);
}

bool IsValidTracestateValue(std::string_view value) noexcept {
  if (value.empty() || value.size() > 256 || value.back() == ' ') return false;
  return std::all_of(value.begin(), value.end(),
                     [](char c) { return c >= 0x20 && c <= 0x7e && c != ',' && c != '='; });
}

std::optional<std::string> NormalizeTracestate(std::span<const std::string_view> header_lines) {
  std::vector<Member> members;
  std::size_t received = 0;  // non-empty members on the wire, repeated keys included
  for (const std::string_view line : header_lines) {
    std::size_t start = 0;
    while (start <= line.size()) {
      const std::size_t comma = std::min(line.find(',', start), line.size());
      const std::string_view text = TrimOws(line.substr(start, comma - start));
      start = comma + 1;
      if (text.empty()) continue;  // empty and whitespace-only members are allowed
      const std::size_t eq = text.find('=');
      if (eq == std::string_view::npos) return std::nullopt;
      const std::string_view key = text.substr(0, eq);
      if (!IsValidTracestateKey(key) || !IsValidTracestateValue(text.substr(eq + 1))) {
        return std::nullopt;
      }
      if (++received > kMaxTracestateMembers) return std::nullopt;
      // A repeated key: keep the first (left-most = most recent) entry. At most 32 members, so the
      // scan is bounded at 32 x 32 comparisons and needs no allocation.
      const bool repeated = std::any_of(members.begin(), members.end(),
                                        [&](const Member& m) { return m.key == key; });
      if (!repeated) members.push_back({key, text});
    }
  }
  Truncate(members);
  std::string out;
  for (const auto& m : members) {
    if (!out.empty()) out += ',';
    out += m.text;
  }
  return out;
}

}  // namespace obs
