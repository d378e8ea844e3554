// SplitMix64: the reference sequence, and the state as the whole of a replay.
#include "core/base/splitmix64.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace core {
namespace {

TEST(SplitMix64Test, MatchesTheReferenceSequence) {
  std::uint64_t state = 0;
  EXPECT_EQ(SplitMix64(state), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(SplitMix64(state), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(SplitMix64(state), 0x06c45d188009454fULL);
}

TEST(SplitMix64Test, SameStateReplaysTheSameSequence) {
  std::uint64_t a = 42;
  std::uint64_t b = 42;
  for (int i = 0; i < 100; ++i) ASSERT_EQ(SplitMix64(a), SplitMix64(b));
  EXPECT_EQ(a, b);
}

TEST(SplitMix64Test, IsUsableAtCompileTime) {
  constexpr std::uint64_t kFirst = [] {
    std::uint64_t s = 0;
    return SplitMix64(s);
  }();
  static_assert(kFirst == 0xe220a8397b1dcdafULL);
  SUCCEED();
}

}  // namespace
}  // namespace core
