#include "02_url_shortener_service_mini/domain/codes.hpp"

#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace shortener {

std::string Base62(std::uint64_t n, std::size_t min_length) {
  std::string out;
  do {
    out.push_back(kBase62Alphabet[n % 62]);
    n /= 62;
  } while (n != 0);
  while (out.size() < min_length) out.push_back('0');
  std::reverse(out.begin(), out.end());
  return out;
}

bool IsBase62(std::string_view s) noexcept {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  });
}

bool IsPossibleCode(std::string_view s) noexcept {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
           c == '-';
  });
}

std::string RandomBase62(std::size_t length) {
  std::string out;
  out.reserve(length);
  unsigned char bytes[32];
  while (out.size() < length) {
    ssize_t got = ::getrandom(bytes, sizeof bytes, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      std::perror("getrandom");
      std::abort();
    }
    for (ssize_t i = 0; i < got && out.size() < length; ++i) {
      // 248 = 4 * 62: bytes at or above it would make the first 8 characters likelier.
      if (bytes[i] < 248) out.push_back(kBase62Alphabet[bytes[i] % 62]);
    }
  }
  return out;
}

std::optional<std::uint64_t> BlockCounter::Take() noexcept {
  if (next_ == end_) return std::nullopt;
  return next_++;
}

void BlockCounter::Refill(std::uint64_t first, std::uint64_t count) noexcept {
  next_ = first;
  end_ = first + count;
}

}  // namespace shortener
