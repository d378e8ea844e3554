// Randomness behind an interface, like time: jitter, hedging and throttling draw from a `Random`,
// so tests pass a seeded generator and assert exact sequences, and production uses the per-thread
// generator (no lock, no syscall). Uniform doubles use the top 53 bits of one draw.
#pragma once

#include <cstdint>

#include "core/base/splitmix64.hpp"

namespace reliability {

class Random {
 public:
  virtual ~Random() = default;
  // 64 uniformly distributed bits.
  virtual std::uint64_t Next() noexcept = 0;

  // Uniform in [0, 1).
  double Uniform01() noexcept { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform integer in [lo, hi] (inclusive); returns lo when hi <= lo. The modulo bias is below
  // 2^-40 for the ranges used here (delays in nanoseconds up to hours), far under what a test
  // could observe.
  std::int64_t Between(std::int64_t lo, std::int64_t hi) noexcept {
    if (hi <= lo) return lo;
    const auto span = static_cast<std::uint64_t>(hi - lo) + 1;  // hi - lo < 2^63, no overflow
    return lo + static_cast<std::int64_t>(span == 0 ? Next() : Next() % span);
  }
};

// Production randomness: core::ThreadRandom64, one xoshiro256** per thread. Thread-safe.
class ThreadRandom final : public Random {
 public:
  std::uint64_t Next() noexcept override;
  static ThreadRandom& Instance() noexcept;
};

// A deterministic generator (splitmix64) for tests and for `--seed`. NOT thread-safe: give each
// thread its own, or guard it.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(std::uint64_t seed) noexcept : state_(seed) {}
  std::uint64_t Next() noexcept override { return core::SplitMix64(state_); }

 private:
  std::uint64_t state_;
};

}  // namespace reliability
