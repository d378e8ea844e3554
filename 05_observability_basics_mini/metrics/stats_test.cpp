// stats.hpp: one list gives the snapshot struct, the live counters and the families; entries of
// one family become its series; declaration mistakes are refused; Registry::AddStats exports it.
#include "05_observability_basics_mini/metrics/stats.hpp"

#include <gtest/gtest.h>

#include <string>

#include "05_observability_basics_mini/metrics/registry.hpp"

namespace obs {
namespace {

constexpr std::string_view kLookupsHelp = "Lookups by result.";

#define TEST_CACHE_STATS(COUNTER, GAUGE)                             \
  COUNTER(hits, "test_lookups_total", "result=hit", kLookupsHelp)    \
  COUNTER(misses, "test_lookups_total", "result=miss", kLookupsHelp) \
  COUNTER(internal_retries, "", "", "counted but not exported")      \
  GAUGE(items, "test_items", "", "Items held.")
SD_STATS_SNAPSHOT(TestStats, TEST_CACHE_STATS)
SD_STATS_COUNTERS(TestCounters, TestStats, TEST_CACHE_STATS)

TEST(StatsTest, CountersLoadIntoTheSnapshot) {
  TestCounters counters;
  counters.hits.Inc();
  counters.hits.Inc(2);
  counters.misses.Inc();
  counters.internal_retries.Inc(5);
  counters.items.Set(10);
  counters.items.Add(-3);
  const TestStats s = counters.Load();
  EXPECT_EQ(s.hits, 3u);
  EXPECT_EQ(s.misses, 1u);
  EXPECT_EQ(s.internal_retries, 5u);
  EXPECT_EQ(s.items, 7u);
}

TEST(StatsTest, ForEachStatVisitsTheListInOrder) {
  const TestStats s{.hits = 1, .misses = 2, .internal_retries = 3, .items = 4};
  std::vector<std::string> seen;
  ForEachStat(s, [&](const StatSpec& spec, std::uint64_t value) {
    seen.push_back(std::string(spec.field) + "=" + std::to_string(value));
  });
  EXPECT_EQ(seen,
            (std::vector<std::string>{"hits=1", "misses=2", "internal_retries=3", "items=4"}));
}

TEST(StatsTest, EntriesOfOneFamilyBecomeItsSeries) {
  StatFamilies families;
  ForEachStat(TestStats{.hits = 5, .misses = 2, .internal_retries = 9, .items = 7},
              families.Adder());
  const auto& f = families.families();
  ASSERT_EQ(f.size(), 2u) << "the unexported stat makes no family";
  EXPECT_EQ(f[0].name, "test_lookups_total");
  EXPECT_EQ(f[0].help, kLookupsHelp);
  EXPECT_EQ(f[0].type, MetricType::kCounter);
  EXPECT_EQ(f[0].label_names, (std::vector<std::string>{"result"}));
  ASSERT_EQ(f[0].metrics.size(), 2u);
  EXPECT_EQ(f[0].metrics[0].label_values, (std::vector<std::string>{"hit"}));
  EXPECT_EQ(f[0].metrics[0].value, 5);
  EXPECT_EQ(f[0].metrics[1].label_values, (std::vector<std::string>{"miss"}));
  EXPECT_EQ(f[0].metrics[1].value, 2);
  EXPECT_EQ(f[1].name, "test_items");
  EXPECT_EQ(f[1].type, MetricType::kGauge);
  EXPECT_TRUE(f[1].label_names.empty());
  ASSERT_EQ(f[1].metrics.size(), 1u);
  EXPECT_EQ(f[1].metrics[0].value, 7);
}

TEST(StatsTest, InstanceLabelsComeFirst) {
  StatFamilies families;
  const std::string shard = "s1";
  ForEachStat(TestStats{.hits = 1}, families.Adder({{"shard", shard}}));
  ForEachStat(TestStats{.hits = 2}, families.Adder({{"shard", "s2"}}));
  const FamilySnapshot& lookups = families.families()[0];
  EXPECT_EQ(lookups.label_names, (std::vector<std::string>{"shard", "result"}));
  ASSERT_EQ(lookups.metrics.size(), 4u);
  EXPECT_EQ(lookups.metrics[0].label_values, (std::vector<std::string>{"s1", "hit"}));
  EXPECT_EQ(lookups.metrics[2].label_values, (std::vector<std::string>{"s2", "hit"}));
  EXPECT_EQ(lookups.metrics[2].value, 2);
}

TEST(StatsTest, ConflictingDeclarationsAreRefused) {
  StatFamilies families;
  families.Add({"a", MetricType::kCounter, "x_total", "", "Help."}, 1);
  EXPECT_THROW(families.Add({"b", MetricType::kGauge, "x_total", "", "Help."}, 1),
               std::invalid_argument);
  EXPECT_THROW(families.Add({"b", MetricType::kCounter, "x_total", "", "Other help."}, 1),
               std::invalid_argument);
  EXPECT_THROW(families.Add({"b", MetricType::kCounter, "x_total", "kind=b", "Help."}, 1),
               std::invalid_argument);
  EXPECT_THROW(families.Add({"c", MetricType::kCounter, "y_total", "no-equals", "Help."}, 1),
               std::invalid_argument);
  EXPECT_THROW(families.Add({"c", MetricType::kCounter, "y_total", "=v", "Help."}, 1),
               std::invalid_argument);
}

TEST(StatsTest, RegistryExportsTheFamiliesAtScrapeTime) {
  Registry registry;
  TestCounters counters;
  registry.AddStats([&](StatFamilies& f) { ForEachStat(counters.Load(), f.Adder()); });
  counters.hits.Inc(3);
  counters.items.Set(2);
  EXPECT_EQ(registry.ExposeText(),
            "# HELP test_items Items held.\n"
            "# TYPE test_items gauge\n"
            "test_items 2\n"
            "# HELP test_lookups_total Lookups by result.\n"
            "# TYPE test_lookups_total counter\n"
            "test_lookups_total{result=\"hit\"} 3\n"
            "test_lookups_total{result=\"miss\"} 0\n");
}

TEST(StatsTest, RegistryChecksTheDeclaredFamiliesAtOnce) {
  Registry registry;
  registry.AddCounter({.name = "taken_total", .help = "Taken."});
  const auto bad = [](std::string_view family, std::string_view label) {
    return [family, label](StatFamilies& f) {
      f.Add({"bad", MetricType::kCounter, family, label, "Help."}, 0);
    };
  };
  EXPECT_THROW(registry.AddStats(bad("no_suffix", "")), std::invalid_argument);
  EXPECT_THROW(registry.AddStats(bad("taken_total", "")), std::invalid_argument);
  EXPECT_THROW(registry.AddStats(bad("ok_total", "__reserved=x")), std::invalid_argument);
  EXPECT_THROW(registry.AddStats(bad("bad name_total", "")), std::invalid_argument);
  EXPECT_NO_THROW(registry.AddStats(bad("ok_total", "kind=x")));
}

}  // namespace
}  // namespace obs
