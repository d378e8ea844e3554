#include "05_observability_basics_mini/metrics/family.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "05_observability_basics_mini/metrics/registry.hpp"

namespace obs {
namespace {

CounterFamily& Requests(Registry& r, std::size_t max_series = 1000) {
  return r.AddCounter({.name = "requests_total",
                       .help = "Requests.",
                       .label_names = {"method", "code"},
                       .max_series = max_series});
}

TEST(FamilyTest, ReturnsTheSameChildForTheSameLabelValues) {
  Registry r;
  auto& f = Requests(r);
  Counter& a = f.WithLabelValues({"GET", "200"});
  Counter& b = f.WithLabelValues({"GET", "200"});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &f.WithLabelValues({"GET", "404"}));
}

TEST(FamilyTest, ChildrenCreatedOnOneThreadAreSharedWithOthers) {
  Registry r;
  auto& f = Requests(r);
  Counter* here = &f.WithLabelValues({"GET", "200"});
  Counter* there = nullptr;
  std::thread([&] { there = &f.WithLabelValues({"GET", "200"}); }).join();
  EXPECT_EQ(here, there);
}

TEST(FamilyTest, DistinguishesValuesThatConcatenateAlike) {
  Registry r;
  auto& f = Requests(r);
  EXPECT_NE(&f.WithLabelValues({"ab", "c"}), &f.WithLabelValues({"a", "bc"}));
}

TEST(FamilyTest, ThrowsOnAWrongNumberOfLabelValues) {
  Registry r;
  auto& f = Requests(r);
  EXPECT_THROW(f.WithLabelValues({"GET"}), std::invalid_argument);
  EXPECT_THROW(f.WithLabelValues({"GET", "200", "x"}), std::invalid_argument);
}

TEST(FamilyTest, FoldsLabelSetsPastTheLimitIntoTheOverflowSeries) {
  Registry r;
  auto& f = Requests(r, /*max_series=*/2);
  f.WithLabelValues({"GET", "200"}).Inc();
  f.WithLabelValues({"GET", "404"}).Inc();
  Counter& third = f.WithLabelValues({"GET", "500"});
  Counter& fourth = f.WithLabelValues({"PUT", "201"});
  EXPECT_EQ(&third, &fourth);
  third.Inc();
  fourth.Inc();
  const auto snapshot = f.Collect();
  ASSERT_EQ(snapshot.metrics.size(), 3u);
  const auto& overflow = snapshot.metrics[2];  // sorted: "GET..." < "overflow"
  EXPECT_EQ(overflow.label_values, (std::vector<std::string>{"overflow", "overflow"}));
  EXPECT_EQ(overflow.value, 2);
}

TEST(FamilyTest, SanitizesIllFormedUtf8InLabelValues) {
  Registry r;
  auto& f = Requests(r);
  f.WithLabelValues({"G\xff", "200"}).Inc();
  const auto snapshot = f.Collect();
  ASSERT_EQ(snapshot.metrics.size(), 1u);
  EXPECT_EQ(snapshot.metrics[0].label_values[0], "G\xef\xbf\xbd");
}

TEST(FamilyTest, CollectSortsSeriesByLabelValues) {
  Registry r;
  auto& f = Requests(r);
  f.WithLabelValues({"POST", "200"});
  f.WithLabelValues({"GET", "500"});
  f.WithLabelValues({"GET", "200"});
  const auto snapshot = f.Collect();
  ASSERT_EQ(snapshot.metrics.size(), 3u);
  EXPECT_EQ(snapshot.metrics[0].label_values, (std::vector<std::string>{"GET", "200"}));
  EXPECT_EQ(snapshot.metrics[1].label_values, (std::vector<std::string>{"GET", "500"}));
  EXPECT_EQ(snapshot.metrics[2].label_values, (std::vector<std::string>{"POST", "200"}));
}

TEST(FamilyTest, ConcurrentFirstUsesOfOneLabelSetCreateOneChild) {
  Registry r;
  auto& f = Requests(r);
  constexpr int kThreads = 4, kPerThread = 10000;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&f] {
      const char* codes[] = {"200", "404", "500"};
      for (int i = 0; i < kPerThread; ++i) f.WithLabelValues({"GET", codes[i % 3]}).Inc();
    });
  }
  for (auto& th : threads) th.join();
  const auto snapshot = f.Collect();
  ASSERT_EQ(snapshot.metrics.size(), 3u);
  double total = 0;
  for (const auto& m : snapshot.metrics) total += m.value;
  EXPECT_EQ(total, kThreads * kPerThread);
}

}  // namespace
}  // namespace obs
