#include "05_observability_basics_mini/tracing/request_id.hpp"

#include <array>
#include <cstdint>

#include "core/base/hex.hpp"
#include "core/base/thread_random.hpp"

namespace obs {
namespace {

constexpr std::array<bool, 256> MakeAllowedTable() {
  std::array<bool, 256> allowed{};
  for (int c = 'a'; c <= 'z'; ++c) allowed[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) allowed[c] = true;
  for (int c = '0'; c <= '9'; ++c) allowed[c] = true;
  for (const char c : {'.', '_', ':', '-'}) allowed[static_cast<unsigned char>(c)] = true;
  return allowed;
}

constexpr std::array<bool, 256> kAllowed = MakeAllowedTable();

}  // namespace

bool IsValidRequestId(std::string_view id) noexcept {
  if (id.empty() || id.size() > kMaxRequestIdLength) return false;
  for (const char c : id) {
    if (!kAllowed[static_cast<unsigned char>(c)]) return false;
  }
  return true;
}

std::string NewRequestId() {
  std::array<std::uint8_t, kRequestIdLength / 2> bytes;
  core::FillRandom(bytes);
  return core::ToHex(bytes);
}

std::string AcceptOrNewRequestId(std::string_view incoming) {
  if (IsValidRequestId(incoming)) return std::string(incoming);
  return NewRequestId();
}

}  // namespace obs
