#include "03_job_queue_worker_mini/protocol/beanstalk_parse.hpp"

#include <array>
#include <limits>

namespace beanstalk {

namespace {

struct Command {
  Op op;
  std::string_view prefix;
  std::string_view stat;
};

constexpr std::array kCommands = {
#define BEANSTALK_OP_ROW(op, prefix, stat) Command{Op::op, prefix, stat},
    BEANSTALK_COMMANDS(BEANSTALK_OP_ROW)
#undef BEANSTALK_OP_ROW
};

bool IsDigit(char c) noexcept { return c >= '0' && c <= '9'; }
bool IsSpace(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}
bool IsNameChar(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || IsDigit(c) || c == '-' || c == '+' ||
         c == '/' || c == ';' || c == '.' || c == '$' || c == '_' || c == '(' || c == ')';
}

// Digits from the start of `text` into *value; false on overflow. *used: digits consumed.
bool Digits(std::string_view text, std::uint64_t* value, std::size_t* used) {
  std::uint64_t v = 0;
  std::size_t i = 0;
  for (; i < text.size() && IsDigit(text[i]); ++i) {
    const auto d = static_cast<std::uint64_t>(text[i] - '0');
    if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return false;
    v = v * 10 + d;
  }
  *value = v;
  *used = i;
  return true;
}

}  // namespace

Op MatchCommand(std::string_view line, std::size_t* prefix_len) noexcept {
  for (const Command& c : kCommands) {
    if (line.substr(0, c.prefix.size()) == c.prefix) {
      *prefix_len = c.prefix.size();
      return c.op;
    }
  }
  *prefix_len = 0;
  return Op::kUnknown;
}

std::string_view StatName(Op op) noexcept {
  const auto i = static_cast<std::size_t>(op);
  return i < kCommands.size() ? kCommands[i].stat : std::string_view();
}

std::optional<std::uint64_t> ReadU64(std::string_view text, std::string_view* rest) {
  std::size_t i = 0;
  while (i < text.size() && text[i] == ' ') ++i;
  if (i == text.size() || !IsDigit(text[i])) return std::nullopt;
  std::uint64_t v = 0;
  std::size_t used = 0;
  if (!Digits(text.substr(i), &v, &used)) return std::nullopt;
  const std::string_view after = text.substr(i + used);
  if (rest == nullptr) {
    if (!after.empty()) return std::nullopt;
  } else {
    *rest = after;
  }
  return v;
}

std::optional<std::uint32_t> ReadU32(std::string_view text, std::string_view* rest) {
  const auto v = ReadU64(text, rest);
  if (!v || *v > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
  return static_cast<std::uint32_t>(*v);
}

namespace {
// strtol/strtoul's shape: whitespace, sign, digits. *digits: how many digits were read.
bool LenientParts(std::string_view text, bool* negative, std::uint64_t* magnitude,
                  std::size_t* digits) {
  std::size_t i = 0;
  while (i < text.size() && IsSpace(text[i])) ++i;
  *negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    *negative = text[i] == '-';
    ++i;
  }
  return Digits(text.substr(i), magnitude, digits);
}
}  // namespace

std::optional<std::int64_t> ReadLongLenient(std::string_view text) {
  bool negative = false;
  std::uint64_t m = 0;
  std::size_t digits = 0;
  if (!LenientParts(text, &negative, &m, &digits)) return std::nullopt;
  constexpr std::uint64_t kMax = std::numeric_limits<std::int64_t>::max();
  if (m > kMax + (negative ? 1 : 0)) return std::nullopt;
  if (negative)
    return m == kMax + 1 ? std::numeric_limits<std::int64_t>::min() : -static_cast<std::int64_t>(m);
  return static_cast<std::int64_t>(m);
}

std::optional<std::uint64_t> ReadUnsignedLenient(std::string_view text) {
  bool negative = false;
  std::uint64_t m = 0;
  std::size_t digits = 0;
  if (!LenientParts(text, &negative, &m, &digits) || digits == 0) return std::nullopt;
  return negative ? std::uint64_t{0} - m : m;
}

std::optional<std::string_view> ReadTubeName(std::string_view text, std::string_view* rest) {
  std::size_t i = 0;
  while (i < text.size() && text[i] == ' ') ++i;
  std::size_t end = i;
  while (end < text.size() && IsNameChar(text[end])) ++end;
  if (end == i) return std::nullopt;
  *rest = text.substr(end);
  return text.substr(i, end - i);
}

}  // namespace beanstalk
