#include "core/base/hex.hpp"

namespace core {
namespace {

constexpr char kDigits[] = "0123456789abcdef";

int LowerHexValue(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

char* WriteHex(std::span<const std::uint8_t> bytes, char* p) noexcept {
  for (const std::uint8_t b : bytes) {
    *p++ = kDigits[b >> 4];
    *p++ = kDigits[b & 0x0f];
  }
  return p;
}

}  // namespace

void AppendHex(std::string& out, std::span<const std::uint8_t> bytes) {
  const std::size_t at = out.size();
  out.resize(at + bytes.size() * 2);
  WriteHex(bytes, out.data() + at);
}

std::string_view HexInto(std::span<const std::uint8_t> bytes, std::span<char> out) noexcept {
  return std::string_view(out.data(),
                          static_cast<std::size_t>(WriteHex(bytes, out.data()) - out.data()));
}

std::string ToHex(std::span<const std::uint8_t> bytes) {
  std::string out;
  AppendHex(out, bytes);
  return out;
}

bool FromLowerHex(std::string_view hex, std::span<std::uint8_t> out) noexcept {
  if (hex.size() != out.size() * 2) return false;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = LowerHexValue(hex[2 * i]);
    const int lo = LowerHexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return true;
}

}  // namespace core
