#include "06_reliability_patterns_mini/policy/windowed_counts.hpp"

#include <gtest/gtest.h>

namespace reliability {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// FakeClock starts on a whole second, so the 1 s slots below are aligned with it.
class WindowedCountsTest : public ::testing::Test {
 protected:
  core::FakeClock clock_;
  WindowedCounts<2> window_{seconds(10), 10};
};

TEST_F(WindowedCountsTest, CountsAddUp) {
  window_.Add(clock_.Now(), 0, 3);
  window_.Add(clock_.Now(), 1);
  EXPECT_EQ(window_.Totals(clock_.Now())[0], 3u);
  EXPECT_EQ(window_.Totals(clock_.Now())[1], 1u);
}

TEST_F(WindowedCountsTest, ACountLeavesExactlyWhenItsSlotFallsOutOfTheWindow) {
  window_.Add(clock_.Now(), 0);
  clock_.Advance(seconds(10) - milliseconds(1));  // still in the 10th slot from it
  EXPECT_EQ(window_.Totals(clock_.Now())[0], 1u);
  clock_.Advance(milliseconds(1));
  EXPECT_EQ(window_.Totals(clock_.Now())[0], 0u);
}

TEST_F(WindowedCountsTest, ResolutionIsOneSlot) {
  clock_.Advance(milliseconds(999));  // late in a slot: expires after 9.001 s, not 10 s
  window_.Add(clock_.Now(), 0);
  clock_.Advance(seconds(9));
  EXPECT_EQ(window_.Totals(clock_.Now())[0], 1u);
  clock_.Advance(milliseconds(1));
  EXPECT_EQ(window_.Totals(clock_.Now())[0], 0u);
}

TEST_F(WindowedCountsTest, OnlyTheOldSlotsLeave) {
  for (int i = 0; i < 10; ++i) {
    window_.Add(clock_.Now(), 0, static_cast<std::uint64_t>(i) + 1);
    clock_.Advance(seconds(1));
  }
  // Now in slot 10: slot 0 (1 count) has left, slots 1..9 (2+...+10 = 54) remain.
  EXPECT_EQ(window_.Totals(clock_.Now())[0], 54u);
  clock_.Advance(seconds(3));  // slots 1..3 leave too (2+3+4)
  EXPECT_EQ(window_.Totals(clock_.Now())[0], 45u);
}

TEST_F(WindowedCountsTest, ALongSilenceClearsEverything) {
  window_.Add(clock_.Now(), 0, 5);
  clock_.Advance(std::chrono::hours(24));
  EXPECT_EQ(window_.Totals(clock_.Now())[0], 0u);
  window_.Add(clock_.Now(), 0);
  EXPECT_EQ(window_.Totals(clock_.Now())[0], 1u);
}

TEST_F(WindowedCountsTest, TimeGoingBackwardsCountsIntoTheCurrentSlot) {
  window_.Add(clock_.Now(), 0);
  clock_.Set(clock_.Now() - seconds(30));
  window_.Add(clock_.Now(), 0);
  EXPECT_EQ(window_.Totals(clock_.Now())[0], 2u);
}

TEST_F(WindowedCountsTest, ClearEmptiesTheWindow) {
  window_.Add(clock_.Now(), 1, 7);
  window_.Clear();
  EXPECT_EQ(window_.Totals(clock_.Now())[1], 0u);
}

}  // namespace
}  // namespace reliability
