#include "05_observability_basics_mini/metrics/metrics.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <thread>
#include <vector>

namespace obs {
namespace {

TEST(CounterTest, StartsAtZeroAndCountsIncrements) {
  Counter c;
  EXPECT_EQ(c.Value(), 0);
  c.Inc();
  c.Inc();
  c.Add(0.5);
  EXPECT_DOUBLE_EQ(c.Value(), 2.5);
}

TEST(CounterTest, IgnoresNegativeAndNanDeltas) {
  Counter c;
  c.Add(3);
  c.Add(-1);
  c.Add(std::nan(""));
  EXPECT_EQ(c.Value(), 3);
}

TEST(CounterTest, CountsEveryIncrementFromManyThreads) {
  Counter c;
  constexpr int kThreads = 4, kPerThread = 50000;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&c] {
      for (int i = 0; i < kPerThread; ++i) c.Inc();
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(c.Value(), kThreads * kPerThread);
}

TEST(GaugeTest, SetsAddsAndSubtracts) {
  Gauge g;
  g.Set(10);
  g.Inc();
  g.Dec();
  g.Dec();
  g.Add(0.25);
  EXPECT_DOUBLE_EQ(g.Value(), 9.25);
  g.Set(-3);
  EXPECT_EQ(g.Value(), -3);
}

TEST(GaugeTest, BalancedIncDecFromManyThreadsEndsAtZero) {
  Gauge g;
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&g] {
      for (int i = 0; i < 20000; ++i) {
        g.Inc();
        g.Dec();
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(g.Value(), 0);
}

TEST(HistogramTest, PlacesValuesInTheFirstBucketWhoseBoundIsAtLeastTheValue) {
  const std::vector<double> bounds{1, 2, 5};
  Histogram h(bounds);
  h.Observe(0.5);  // le 1
  h.Observe(1);    // le 1: bounds are inclusive
  h.Observe(1.5);  // le 2
  h.Observe(5);    // le 5
  h.Observe(7);    // +Inf
  MetricSnapshot s;
  h.Collect(s);
  EXPECT_EQ(s.cumulative_counts, (std::vector<std::uint64_t>{2, 3, 4, 5}));
  EXPECT_DOUBLE_EQ(s.sum, 15);
  EXPECT_EQ(h.Count(), 5u);
}

TEST(HistogramTest, IgnoresNan) {
  const std::vector<double> bounds{1};
  Histogram h(bounds);
  h.Observe(std::nan(""));
  EXPECT_EQ(h.Count(), 0u);
  EXPECT_EQ(h.Sum(), 0);
}

TEST(HistogramTest, WorksWithoutFiniteBuckets) {
  Histogram h(std::span<const double>{});
  h.Observe(3);
  MetricSnapshot s;
  h.Collect(s);
  EXPECT_EQ(s.cumulative_counts, (std::vector<std::uint64_t>{1}));
  EXPECT_EQ(s.sum, 3);
}

TEST(HistogramTest, CountsEveryObservationFromManyThreads) {
  const auto bounds = DefaultLatencyBuckets();
  Histogram h(bounds);
  constexpr int kThreads = 4, kPerThread = 20000;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&h] {
      for (int i = 0; i < kPerThread; ++i) h.Observe(0.001 * (i % 100));  // 0 .. 0.099
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(h.Count(), static_cast<std::uint64_t>(kThreads * kPerThread));
  // sum = threads * (per-thread repeats of 0..99) * 0.001
  EXPECT_NEAR(h.Sum(), kThreads * (kPerThread / 100.0) * 4950 * 0.001, 1e-6);
}

TEST(HistogramTest, ScrapesDuringObservationAreConsistent) {
  const std::vector<double> bounds{0.1, 0.2, 0.5};
  Histogram h(bounds);
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  writers.reserve(2);
  for (int t = 0; t < 2; ++t) {
    writers.emplace_back([&] {
      for (int i = 0; !stop.load(std::memory_order_relaxed); ++i) h.Observe(0.1 * (i % 8));
    });
  }
  std::uint64_t last_count = 0;
  for (int scrape = 0; scrape < 2000; ++scrape) {
    MetricSnapshot s;
    h.Collect(s);
    ASSERT_EQ(s.cumulative_counts.size(), bounds.size() + 1);
    for (std::size_t i = 1; i < s.cumulative_counts.size(); ++i) {
      ASSERT_LE(s.cumulative_counts[i - 1], s.cumulative_counts[i]);
    }
    ASSERT_GE(s.cumulative_counts.back(), last_count);  // counts never go backwards
    last_count = s.cumulative_counts.back();
  }
  stop = true;
  for (auto& th : writers) th.join();
}

TEST(BucketsTest, DefaultLatencyBucketsArePrometheusDefaults) {
  EXPECT_EQ(DefaultLatencyBuckets(),
            (std::vector<double>{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}));
}

TEST(BucketsTest, ExponentialBucketsMultiplyByTheFactor) {
  EXPECT_EQ(ExponentialBuckets(1, 2, 4), (std::vector<double>{1, 2, 4, 8}));
  EXPECT_THROW(ExponentialBuckets(0, 2, 4), std::invalid_argument);
  EXPECT_THROW(ExponentialBuckets(1, 1, 4), std::invalid_argument);
}

}  // namespace
}  // namespace obs
