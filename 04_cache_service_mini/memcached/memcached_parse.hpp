// Lexing for the memcached text protocol: splitting a command line into tokens and reading the
// numbers in them exactly as memcached 1.6 does (checked against a running memcached 1.6.18).
// Pure functions over string_views into the caller's buffer; nothing here allocates.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cache::memcached {

// Enough for the longest fixed-form command: cas <key> <flags> <exptime> <bytes> <cas> noreply.
inline constexpr std::size_t kMaxTokens = 8;

// A command line split on spaces (only ' ' separates, as in memcached; runs of spaces count as one
// and leading spaces are skipped). `count` is the true number of tokens, even past kMaxTokens.
struct Tokens {
  std::array<std::string_view, kMaxTokens> token{};
  std::size_t count = 0;

  std::string_view operator[](std::size_t i) const noexcept {
    return i < kMaxTokens ? token[i] : std::string_view();
  }
  std::string_view last() const noexcept {
    return count == 0 ? std::string_view() : (*this)[count - 1];
  }
};

Tokens Tokenize(std::string_view line) noexcept;

// Calls fn(std::string_view token) for each space-separated token of `text`.
template <class Fn>
void ForEachToken(std::string_view text, Fn&& fn) {
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    const std::size_t start = i;
    while (i < text.size() && text[i] != ' ') ++i;
    if (i > start) fn(text.substr(start, i - start));
  }
}

// An unsigned decimal token: optional '+', then digits only; false on anything else or overflow.
bool ParseU64(std::string_view token, std::uint64_t* value) noexcept;
// A signed decimal token: optional sign, then digits only; false on anything else or overflow.
bool ParseI64(std::string_view token, std::int64_t* value) noexcept;

}  // namespace cache::memcached
