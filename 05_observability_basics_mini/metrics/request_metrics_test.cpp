#include "05_observability_basics_mini/metrics/request_metrics.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace obs {
namespace {

const FamilySnapshot& Find(const std::vector<FamilySnapshot>& families, std::string_view name) {
  for (const auto& f : families) {
    if (f.name == name) return f;
  }
  throw std::runtime_error("no family " + std::string(name));
}

TEST(RequestMetricsTest, CountsRequestsByMethodRouteAndCode) {
  Registry r;
  RequestMetrics m(r);
  m.Record("GET", "/hello", 200, 0.002);
  m.Record("GET", "/hello", 200, 0.004);
  m.Record("POST", "/r/{code}", 503, 0.2);
  const auto families = r.Collect();
  const auto& requests = Find(families, "http_requests_total");
  ASSERT_EQ(requests.metrics.size(), 2u);
  EXPECT_EQ(requests.metrics[0].label_values, (std::vector<std::string>{"GET", "/hello", "200"}));
  EXPECT_EQ(requests.metrics[0].value, 2);
  EXPECT_EQ(requests.metrics[1].label_values,
            (std::vector<std::string>{"POST", "/r/{code}", "503"}));
}

TEST(RequestMetricsTest, ObservesDurationsByMethodAndRoute) {
  Registry r;
  RequestMetrics m(r);
  m.Record("GET", "/hello", 200, 0.002);
  m.Record("GET", "/hello", 500, 0.3);
  const auto families = r.Collect();
  const auto& duration = Find(families, "http_request_duration_seconds");
  ASSERT_EQ(duration.metrics.size(), 1u);
  EXPECT_EQ(duration.metrics[0].cumulative_counts.front(), 1u);  // le 0.005
  EXPECT_EQ(duration.metrics[0].cumulative_counts.back(), 2u);
  EXPECT_DOUBLE_EQ(duration.metrics[0].sum, 0.302);
}

TEST(RequestMetricsTest, BoundsLabelValuesItCannotTrust) {
  Registry r;
  RequestMetrics m(r);
  m.Record("BREW", "", 999, 0.001);
  const auto families = r.Collect();
  const auto& requests = Find(families, "http_requests_total");
  ASSERT_EQ(requests.metrics.size(), 1u);
  EXPECT_EQ(requests.metrics[0].label_values,
            (std::vector<std::string>{"OTHER", "unmatched", "other"}));
}

TEST(RequestMetricsTest, TracksRequestsInFlight) {
  Registry r;
  RequestMetrics m(r);
  m.Started();
  m.Started();
  m.Finished();
  const auto families = r.Collect();
  EXPECT_EQ(Find(families, "http_requests_in_flight").metrics[0].value, 1);
}

TEST(RequestMetricsTest, TwoInstancesOnOneRegistryShareFamilies) {
  Registry r;
  RequestMetrics a(r);
  RequestMetrics b(r);
  a.Record("GET", "/x", 200, 0.01);
  b.Record("GET", "/x", 200, 0.01);
  const auto families = r.Collect();
  EXPECT_EQ(Find(families, "http_requests_total").metrics[0].value, 2);
}

TEST(RequestMetricsTest, RecordsFromManyThreadsWithoutLosingCounts) {
  Registry r;
  RequestMetrics m(r);
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&m] {
      for (int i = 0; i < 5000; ++i) m.Record(i % 2 ? "GET" : "POST", "/a", 200, 0.001);
    });
  }
  for (auto& th : threads) th.join();
  const auto families = r.Collect();
  double total = 0;
  for (const auto& s : Find(families, "http_requests_total").metrics) total += s.value;
  EXPECT_EQ(total, 20000);
}

TEST(NormalizeMethodTest, KeepsStandardMethodsAndFoldsTheRest) {
  EXPECT_EQ(NormalizeMethod("PATCH"), "PATCH");
  EXPECT_EQ(NormalizeMethod("get"), "OTHER");  // methods are case-sensitive
  EXPECT_EQ(NormalizeMethod(""), "OTHER");
}

}  // namespace
}  // namespace obs
