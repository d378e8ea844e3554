#include "core/base/thread_random.hpp"

#include <array>
#include <cstring>
#include <random>

#include "core/base/splitmix64.hpp"

namespace core {
namespace {

// xoshiro256** (Blackman & Vigna): 256 bits of state, period 2^256-1, passes BigCrush; chosen over
// std::mt19937_64 for its 32-byte state (cheap per thread) and speed.
class Xoshiro256 {
 public:
  Xoshiro256() {
    std::random_device device;
    // splitmix64 spreads the seed so that no state word is zero even if the device were weak.
    std::uint64_t seed = (std::uint64_t{device()} << 32) ^ device();
    for (auto& word : s_) word = SplitMix64(seed) ^ (std::uint64_t{device()} << 32);
  }

  std::uint64_t Next() noexcept {
    const std::uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

 private:
  static std::uint64_t Rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  std::array<std::uint64_t, 4> s_{};
};

Xoshiro256& Generator() {
  thread_local Xoshiro256 generator;
  return generator;
}

}  // namespace

std::uint64_t ThreadRandom64() noexcept { return Generator().Next(); }

void FillRandom(std::span<std::uint8_t> out) noexcept {
  auto& generator = Generator();
  std::size_t i = 0;
  for (; i + 8 <= out.size(); i += 8) {
    const std::uint64_t word = generator.Next();
    std::memcpy(out.data() + i, &word, 8);
  }
  if (i < out.size()) {
    const std::uint64_t word = generator.Next();
    std::memcpy(out.data() + i, &word, out.size() - i);
  }
}

}  // namespace core
