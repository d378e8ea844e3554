#include "06_reliability_patterns_mini/policy/adaptive_throttle.hpp"

#include <gtest/gtest.h>

namespace reliability {
namespace {

using std::chrono::seconds;

class AdaptiveThrottleTest : public ::testing::Test {
 protected:
  core::FakeClock clock_;
  SeededRandom random_{7};
  AdaptiveThrottle throttle_{{.k = 2.0, .window = seconds(120)}, clock_};
};

TEST_F(AdaptiveThrottleTest, NeverRejectsWhileTheUpstreamAcceptsEverything) {
  for (int i = 0; i < 10'000; ++i) {
    ASSERT_TRUE(throttle_.Admit(random_));
    throttle_.RecordAccepted();
  }
  EXPECT_EQ(throttle_.RejectProbability(), 0.0);
}

TEST_F(AdaptiveThrottleTest, ToleratesUpToKTimesTheAccepts) {
  // 100 requests, 50 accepted: requests == K × accepts, so nothing is rejected yet.
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(throttle_.Admit(random_));
    if (i % 2 == 0) throttle_.RecordAccepted();
  }
  EXPECT_EQ(throttle_.RejectProbability(), 0.0);
}

TEST_F(AdaptiveThrottleTest, TheProbabilityIsTheBooksFormula) {
  // 30 requests, 10 accepted: (30 - 2 × 10) / (30 + 1).
  for (int i = 0; i < 30; ++i) {
    (void)throttle_.Admit(random_);  // p stays 0 while requests <= 2 × accepts... then grows
    if (i < 10) throttle_.RecordAccepted();
  }
  EXPECT_DOUBLE_EQ(throttle_.RejectProbability(), 10.0 / 31.0);
}

TEST_F(AdaptiveThrottleTest, ADeadUpstreamIsMostlyRejectedLocally) {
  int admitted = 0;
  for (int i = 0; i < 10'000; ++i) admitted += throttle_.Admit(random_) ? 1 : 0;
  // p approaches 1 as requests grow with no accepts: only a trickle still goes out, which is
  // how the client notices recovery.
  EXPECT_LT(admitted, 200);
  EXPECT_GT(admitted, 0);
  EXPECT_EQ(throttle_.Stats().admitted + throttle_.Stats().rejected, 10'000u);
}

TEST_F(AdaptiveThrottleTest, HistoryOlderThanTheWindowIsForgotten) {
  for (int i = 0; i < 1000; ++i) (void)throttle_.Admit(random_);
  EXPECT_GT(throttle_.RejectProbability(), 0.99);
  clock_.Advance(seconds(120));
  EXPECT_EQ(throttle_.RejectProbability(), 0.0);
}

}  // namespace
}  // namespace reliability
