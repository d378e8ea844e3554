#include "06_reliability_patterns_mini/policy/hedging.hpp"

#include <gtest/gtest.h>

namespace reliability {
namespace {

using std::chrono::milliseconds;

HedgeOptions Options(double percentile, int min_samples, int window) {
  HedgeOptions o;
  o.delay = milliseconds(200);
  o.percentile = percentile;
  o.min_samples = min_samples;
  o.window = window;
  return o;
}

TEST(LatencyTrackerTest, UsesTheFixedDelayUntilEnoughSamples) {
  LatencyTracker t(Options(95, 100, 1000));
  for (int i = 1; i <= 99; ++i) t.Record(milliseconds(i));
  EXPECT_EQ(t.Delay(), milliseconds(200));
  EXPECT_EQ(t.Percentile(), std::nullopt);
  t.Record(milliseconds(100));
  EXPECT_EQ(t.Delay(), milliseconds(95));  // nearest rank: the 95th of 1..100
}

TEST(LatencyTrackerTest, FollowsTheRecentWindowOnly) {
  LatencyTracker t(Options(50, 10, 100));
  for (int i = 0; i < 100; ++i) t.Record(milliseconds(1000));
  EXPECT_EQ(t.Delay(), milliseconds(1000));
  for (int i = 0; i < 100; ++i) t.Record(milliseconds(10));  // the slow period is forgotten
  EXPECT_EQ(t.Delay(), milliseconds(10));
  EXPECT_EQ(t.samples(), 200u);
}

TEST(LatencyTrackerTest, ARareSlowCallDoesNotMoveTheP95) {
  LatencyTracker t(Options(95, 100, 1000));
  for (int i = 0; i < 1000; ++i) t.Record(milliseconds(i % 100 == 0 ? 2000 : 20));
  EXPECT_EQ(t.Delay(), milliseconds(20));  // 1 % slow calls sit above the 95th percentile
}

TEST(LatencyTrackerTest, PercentileZeroMeansAFixedDelay) {
  LatencyTracker t(Options(0, 1, 10));
  for (int i = 0; i < 100; ++i) t.Record(milliseconds(1));
  EXPECT_EQ(t.Delay(), milliseconds(200));
}

}  // namespace
}  // namespace reliability
