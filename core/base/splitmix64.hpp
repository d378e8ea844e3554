// splitmix64 (Steele, Lea & Flood; Vigna's public-domain reference): one 64-bit add and two
// multiply-xorshift rounds per output. Not for secrets and not for ids (core::ThreadRandom64 is):
// it is what a deterministic simulation, a seeded test or a benchmark wants, and what spreads a
// weak seed into the state of a bigger generator.
//
// Design: a free function over the caller's state word, so a class keeps one std::uint64_t
// member (copyable, no lock) and a replay needs only the seed.
#pragma once

#include <cstdint>

namespace core {

// Advances `state` and returns the next output. Same seed, same sequence, on every platform: seed
// 0 gives 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, ... Not thread-safe: one state per thread.
constexpr std::uint64_t SplitMix64(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace core
