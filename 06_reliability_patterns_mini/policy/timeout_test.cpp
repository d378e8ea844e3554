#include "06_reliability_patterns_mini/policy/timeout.hpp"

#include <gtest/gtest.h>

namespace reliability {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(TimeoutTest, CallDeadlineIsTheTotalUnlessTheCallerHasASoonerOne) {
  const TimeoutOptions o{.attempt = seconds(1), .total = seconds(15)};
  const TimePoint start = core::FakeClock().Now();
  EXPECT_EQ(CallDeadline(o, start), start + seconds(15));
  EXPECT_EQ(CallDeadline(o, start, start + seconds(3)), start + seconds(3));
  EXPECT_EQ(CallDeadline(o, start, start + seconds(30)), start + seconds(15));
}

TEST(TimeoutTest, AnAttemptNeverGetsMoreThanWhatIsLeft) {
  const TimeoutOptions o{.attempt = seconds(1), .total = seconds(15)};
  const TimePoint now = core::FakeClock().Now();
  EXPECT_EQ(AttemptDeadline(o, now, now + seconds(10)), now + seconds(1));
  EXPECT_EQ(AttemptDeadline(o, now, now + milliseconds(300)), now + milliseconds(300));
  EXPECT_EQ(AttemptDeadline(o, now, now + seconds(1)), now + seconds(1));
}

TEST(TimeoutTest, RemainingIsNeverNegative) {
  const TimePoint now = core::FakeClock().Now();
  EXPECT_EQ(Remaining(now, now + milliseconds(5)), milliseconds(5));
  EXPECT_EQ(Remaining(now, now), core::Clock::duration::zero());
  EXPECT_EQ(Remaining(now + seconds(1), now), core::Clock::duration::zero());
}

}  // namespace
}  // namespace reliability
