// Short codes: base62 text, drawn at random from the kernel's CSPRNG or from a counter.
//
// Random codes are the default: unpredictable (nobody can enumerate links by counting) and free of
// coordination (any instance mints codes alone); the price is collisions, which the store's UNIQUE
// constraint catches and the caller retries. Counter codes are the alternative the README measures:
// shorter and collision-free, but enumerable and dependent on a shared counter, which BlockCounter
// amortises by reserving ids in blocks (one store round trip per block, gaps after a restart).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shortener {

inline constexpr std::string_view kBase62Alphabet =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
inline constexpr std::size_t kMinCodeLength = 4;
inline constexpr std::size_t kMaxCodeLength = 16;

// `n` in base62, left-padded with '0' to at least `min_length` characters.
std::string Base62(std::uint64_t n, std::size_t min_length = 1);

// True when every character of `s` is in kBase62Alphabet (and `s` is not empty).
bool IsBase62(std::string_view s) noexcept;

// True when `s` could name a link: 1 to 64 characters of [A-Za-z0-9_-] (generated codes are
// base62, aliases may add '_' and '-'). Anything else is answered 404 without asking the store.
bool IsPossibleCode(std::string_view s) noexcept;

// `length` characters drawn uniformly from kBase62Alphabet with getrandom(2) (rejection sampling,
// so no character is likelier than another). Thread-safe; a failing getrandom (only before the
// kernel's pool is initialised, at boot) aborts rather than hand out predictable codes.
std::string RandomBase62(std::size_t length);

// The ids of one reserved block, handed out in order. Not thread-safe (the caller locks).
class BlockCounter {
 public:
  // Next id of the current block, or nullopt when it is used up (call Refill).
  std::optional<std::uint64_t> Take() noexcept;
  // Replaces the block by [first, first + count).
  void Refill(std::uint64_t first, std::uint64_t count) noexcept;
  std::uint64_t remaining() const noexcept { return end_ - next_; }

 private:
  std::uint64_t next_ = 0;
  std::uint64_t end_ = 0;
};

}  // namespace shortener
