// The trace generators: deterministic, shaped as specified.
#include "04_cache_service_mini/workload/workload.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

namespace cache {
namespace {

TEST(WorkloadTest, SameSeedGivesTheSameTrace) {
  WorkloadSpec spec{.name = "z", .keys = 1000, .alpha = 1.0, .requests = 10'000};
  EXPECT_EQ(GenerateTrace(spec), GenerateTrace(spec));
  WorkloadSpec other = spec;
  other.seed = 2;
  EXPECT_NE(GenerateTrace(spec), GenerateTrace(other));
}

TEST(WorkloadTest, ZipfRankZeroIsTheMostPopular) {
  ZipfGenerator zipf(1000, 1.0, 3);
  std::map<std::uint64_t, int> counts;
  for (int i = 0; i < 100'000; ++i) ++counts[zipf.Next()];
  EXPECT_GT(counts[0], counts[1]);
  EXPECT_GT(counts[1], counts[10]);
  // P(rank 0) = 1 / H(1000) ~= 0.1336 for alpha 1.
  EXPECT_NEAR(counts[0] / 100'000.0, 0.1336, 0.01);
  EXPECT_LT(counts.rbegin()->first, 1000u);
}

TEST(WorkloadTest, ScansInsertRunsOfFreshKeys) {
  WorkloadSpec spec{.name = "s", .keys = 1000, .alpha = 1.0, .requests = 5000};
  spec.scan_every = 1000;
  spec.scan_length = 200;
  const std::vector<std::uint64_t> trace = GenerateTrace(spec);
  ASSERT_EQ(trace.size(), 5000u);
  for (std::size_t i = 1000; i < 1200; ++i) EXPECT_GE(trace[i], kScanKeyBase) << i;
  EXPECT_LT(trace[1200], kScanKeyBase);
  const auto scans = std::count_if(trace.begin(), trace.end(),
                                   [](std::uint64_t id) { return id >= kScanKeyBase; });
  EXPECT_EQ(scans, 4 * 200);
  std::vector<std::uint64_t> scan_ids;
  for (std::uint64_t id : trace) {
    if (id >= kScanKeyBase) scan_ids.push_back(id);
  }
  EXPECT_EQ(std::adjacent_find(scan_ids.begin(), scan_ids.end()), scan_ids.end())
      << "scan keys never repeat";
}

TEST(WorkloadTest, ChurnBringsNewKeysToTheTop) {
  WorkloadSpec spec{.name = "c", .keys = 1000, .alpha = 1.0, .requests = 4000};
  spec.churn_every = 2000;
  spec.churn_shift = 100;
  const std::vector<std::uint64_t> trace = GenerateTrace(spec);
  const auto before = std::max_element(trace.begin(), trace.begin() + 2000);
  const auto after = std::max_element(trace.begin() + 2000, trace.end());
  EXPECT_EQ(*before, 999u) << "the hottest key is the newest id";
  EXPECT_EQ(*after, 1099u);
}

TEST(WorkloadTest, KeyTextIsFixedWidth) {
  EXPECT_EQ(KeyText(0), "0000000000000000");
  EXPECT_EQ(KeyText(kScanKeyBase).size(), 16u);
}

}  // namespace
}  // namespace cache
