// Lowercase hexadecimal for binary identifiers (trace ids, span ids, request ids).
//
// W3C Trace Context allows only lowercase hex (HEXDIGLC), so decoding rejects 'A'-'F' rather than
// folding case: two spellings of one id would let two services disagree about identity.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace core {

// Appends 2 lowercase hex digits per byte of `bytes` to `out`.
void AppendHex(std::string& out, std::span<const std::uint8_t> bytes);

// Writes 2 lowercase hex digits per byte of `bytes` into `out` and returns what it wrote: no
// allocation, for ids formatted on every request. Precondition: out.size() >= 2 * bytes.size().
std::string_view HexInto(std::span<const std::uint8_t> bytes, std::span<char> out) noexcept;

// `bytes` as lowercase hex (2 characters per byte).
std::string ToHex(std::span<const std::uint8_t> bytes);

// Decodes exactly `out.size() * 2` lowercase hex digits from `hex` into `out`. Returns false (and
// leaves `out` unspecified) when the length differs or any character is not [0-9a-f].
bool FromLowerHex(std::string_view hex, std::span<std::uint8_t> out) noexcept;

// True when `c` is one of [0-9a-f].
constexpr bool IsLowerHexDigit(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

}  // namespace core
