#include "core/base/siphash.hpp"

#include <bit>
#include <cstring>
#include <random>

namespace core {
namespace {

struct SipState {
  std::uint64_t v0, v1, v2, v3;

  void Round() noexcept {
    v0 += v1;
    v1 = std::rotl(v1, 13);
    v1 ^= v0;
    v0 = std::rotl(v0, 32);
    v2 += v3;
    v3 = std::rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = std::rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = std::rotl(v1, 17);
    v1 ^= v2;
    v2 = std::rotl(v2, 32);
  }
};

std::uint64_t LoadLe64(const char* p) noexcept {
  std::uint64_t x;
  std::memcpy(&x, p, 8);
  if constexpr (std::endian::native == std::endian::big) x = __builtin_bswap64(x);
  return x;
}

template <int kCompressionRounds, int kFinalRounds>
std::uint64_t SipHash(const SipKey& key, std::string_view data) noexcept {
  SipState s{key[0] ^ 0x736f6d6570736575ULL, key[1] ^ 0x646f72616e646f6dULL,
             key[0] ^ 0x6c7967656e657261ULL, key[1] ^ 0x7465646279746573ULL};
  const char* p = data.data();
  const std::size_t n = data.size();
  const std::size_t whole = n & ~std::size_t{7};
  for (std::size_t i = 0; i < whole; i += 8) {
    const std::uint64_t m = LoadLe64(p + i);
    s.v3 ^= m;
    for (int r = 0; r < kCompressionRounds; ++r) s.Round();
    s.v0 ^= m;
  }
  std::uint64_t last = static_cast<std::uint64_t>(n & 0xff) << 56;
  for (std::size_t i = 0; i < (n & 7); ++i) {
    last |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[whole + i])) << (8 * i);
  }
  s.v3 ^= last;
  for (int r = 0; r < kCompressionRounds; ++r) s.Round();
  s.v0 ^= last;
  s.v2 ^= 0xff;
  for (int r = 0; r < kFinalRounds; ++r) s.Round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

}  // namespace

std::uint64_t SipHash13(const SipKey& key, std::string_view data) noexcept {
  return SipHash<1, 3>(key, data);
}

std::uint64_t SipHash24(const SipKey& key, std::string_view data) noexcept {
  return SipHash<2, 4>(key, data);
}

SipKey RandomSipKey() {
  std::random_device rd;
  auto word = [&] { return (std::uint64_t{rd()} << 32) | rd(); };
  return {word(), word()};
}

}  // namespace core
