#include "01_rate_limiter_service_mini/algorithms/sliding_window.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace ratelimit {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

// 10 per minute. FakeClock starts at 1000 h, a multiple of the window, so offsets below are
// positions inside the window.
class SlidingWindowTest : public ::testing::Test {
 protected:
  Decision Take(std::int64_t cost = 1) {
    return SlidingWindow::Decide(quota_, state_, cost, clock_.Now());
  }
  void TakeAll(int n) {
    for (int i = 0; i < n; ++i) ASSERT_TRUE(Take().allowed) << "request " << i;
  }

  core::FakeClock clock_;
  Quota quota_ = Quota::Make(Rate{10, seconds(60)}, 10).value();
  SlidingWindow::State state_ = SlidingWindow::Fresh(quota_, clock_.Now());
};

TEST_F(SlidingWindowTest, FreshKeyAdmitsTheLimitWithinOneWindow) {
  TakeAll(10);
  const Decision d = Take();
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.limit, 10);
  EXPECT_EQ(d.remaining, 0);
}

TEST_F(SlidingWindowTest, PreviousWindowCountsByItsRemainingOverlap) {
  TakeAll(10);
  clock_.Advance(seconds(60 + 15));  // 25% into the next window: 10 * 75% = 7.5 still counted
  EXPECT_EQ(Take(0).remaining, 2);
  TakeAll(2);
  EXPECT_FALSE(Take().allowed);
}

TEST_F(SlidingWindowTest, RetryAfterIsWhenThePreviousWindowHasDecayedEnough) {
  TakeAll(10);
  clock_.Advance(seconds(60 + 15));
  TakeAll(2);
  // Need 10*(60-e)/60 + 2 + 1 <= 10, i.e. e >= 18 s: 3 s from now.
  const Decision d = Take();
  ASSERT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after, seconds(3));
  clock_.Advance(seconds(3) - nanoseconds(1));
  EXPECT_FALSE(Take().allowed);
  clock_.Advance(nanoseconds(1));
  EXPECT_TRUE(Take().allowed);
}

TEST_F(SlidingWindowTest, RetryAfterCanReachIntoTheNextWindow) {
  TakeAll(10);
  // The current window is full: only in the next one, once 10*(60-e)/60 + 1 <= 10, i.e. e >= 6 s.
  const Decision d = Take();
  ASSERT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after, seconds(66));
  clock_.Advance(seconds(66) - nanoseconds(1));
  EXPECT_FALSE(Take().allowed);
  clock_.Advance(nanoseconds(1));
  EXPECT_TRUE(Take().allowed);
}

TEST_F(SlidingWindowTest, ResetAfterIsWhenBothWindowsAreEmpty) {
  clock_.Advance(seconds(20));
  EXPECT_EQ(Take().reset_after, seconds(40 + 60));
  clock_.Advance(seconds(60));  // the request is now in the previous window
  EXPECT_EQ(Take(0).reset_after, seconds(40));
}

TEST_F(SlidingWindowTest, WindowsOlderThanTheLastOneAreForgotten) {
  TakeAll(10);
  clock_.Advance(seconds(120));
  const Decision d = Take(10);
  EXPECT_TRUE(d.allowed);
}

TEST_F(SlidingWindowTest, CostZeroPeeksWithoutCounting) {
  TakeAll(9);
  EXPECT_EQ(Take(0).remaining, 1);
  EXPECT_EQ(state_.current, 9);
  EXPECT_TRUE(Take().allowed);
}

TEST_F(SlidingWindowTest, CostAboveLimitCanNeverSucceed) {
  const Decision d = Take(11);
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(d.RetryNever());
  EXPECT_EQ(Take(std::numeric_limits<std::int64_t>::max()).retry_after, Decision::kNever);
  EXPECT_EQ(state_.current, 0);
}

TEST_F(SlidingWindowTest, CostEqualToLimitSucceedsOnAnEmptyWindow) {
  EXPECT_TRUE(Take(10).allowed);
}

TEST_F(SlidingWindowTest, ClockThatDoesNotMoveAdmitsOnlyTheLimit) {
  int allowed = 0;
  for (int i = 0; i < 1000; ++i) allowed += Take().allowed;
  EXPECT_EQ(allowed, 10);
}

TEST_F(SlidingWindowTest, ClockGoingBackwardsStaysInTheStoredWindow) {
  clock_.Advance(seconds(30));
  TakeAll(10);
  clock_.Set(clock_.Now() - seconds(45));  // into the window before
  EXPECT_FALSE(Take().allowed);
  EXPECT_EQ(state_.current, 10);
}

TEST_F(SlidingWindowTest, LongIdleStartsOver) {
  TakeAll(10);
  clock_.Advance(hours(24 * 365 * 100));
  EXPECT_EQ(Take(0).remaining, 10);
}

// The estimate assumes the previous window's requests were spread evenly. For a tiny limit and a
// regular client that is pessimistic: at 2/s, a client asking every 250 ms gets 2 in the first
// window and then 1 per window (a true sliding log would give it 2 per second). Documented here
// because it is the algorithm's known price, not a bug.
TEST(SlidingWindowApproximationTest, SmallLimitsAreStricterThanASlidingLog) {
  const Quota quota = Quota::Make(Rate{2, seconds(1)}, 2).value();
  core::FakeClock clock;
  auto state = SlidingWindow::Fresh(quota, clock.Now());
  int allowed = 0;
  for (int i = 0; i < 40; ++i) {  // 10 windows
    allowed += SlidingWindow::Decide(quota, state, 1, clock.Now()).allowed;
    clock.Advance(milliseconds(250));
  }
  EXPECT_EQ(allowed, 11);
}

TEST(SlidingWindowAlignmentTest, WindowsAreAlignedToTheClockEpoch) {
  const Quota quota = Quota::Make(Rate{5, seconds(10)}, 5).value();
  core::FakeClock clock(core::Clock::time_point(seconds(1'000'007)));
  const auto state = SlidingWindow::Fresh(quota, clock.Now());
  EXPECT_EQ(state.window_start_ns, nanoseconds(seconds(1'000'000)).count());
}

}  // namespace
}  // namespace ratelimit
