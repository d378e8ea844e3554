#include "05_observability_basics_mini/metrics/registry.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <thread>

namespace obs {
namespace {

TEST(RegistryTest, ExposesASmallRegistryExactly) {
  Registry r;
  auto& requests =
      r.AddCounter({.name = "http_requests_total", .help = "Requests.", .label_names = {"code"}});
  requests.WithLabelValues({"200"}).Inc();
  requests.WithLabelValues({"200"}).Inc();
  requests.WithLabelValues({"500"}).Inc();
  r.AddGauge({.name = "temperature_celsius", .help = "Heat\nin \\ degrees."})
      .WithLabelValues({})
      .Set(21.5);
  auto& latency =
      r.AddHistogram({.name = "latency_seconds", .help = "Latency.", .label_names = {}}, {0.1, 1});
  latency.WithLabelValues({}).Observe(0.05);
  latency.WithLabelValues({}).Observe(0.5);
  latency.WithLabelValues({}).Observe(3);
  r.AddCallbackGauge("queue_depth", "Queued jobs.", [] { return 4.0; });

  EXPECT_EQ(r.ExposeText(),
            "# HELP http_requests_total Requests.\n"
            "# TYPE http_requests_total counter\n"
            "http_requests_total{code=\"200\"} 2\n"
            "http_requests_total{code=\"500\"} 1\n"
            "# HELP latency_seconds Latency.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{le=\"0.1\"} 1\n"
            "latency_seconds_bucket{le=\"1\"} 2\n"
            "latency_seconds_bucket{le=\"+Inf\"} 3\n"
            "latency_seconds_sum 3.55\n"
            "latency_seconds_count 3\n"
            "# HELP queue_depth Queued jobs.\n"
            "# TYPE queue_depth gauge\n"
            "queue_depth 4\n"
            "# HELP temperature_celsius Heat\\nin \\\\ degrees.\n"
            "# TYPE temperature_celsius gauge\n"
            "temperature_celsius 21.5\n");
}

TEST(RegistryTest, ExportsAnUnlabelledFamilyAsZeroBeforeItsFirstUpdate) {
  Registry r;
  r.AddCounter({.name = "jobs_total", .help = "Jobs."});
  EXPECT_EQ(r.ExposeText(), "# HELP jobs_total Jobs.\n# TYPE jobs_total counter\njobs_total 0\n");
}

TEST(RegistryTest, ReturnsTheExistingFamilyForAnIdenticalRegistration) {
  Registry r;
  auto& a = r.AddCounter({.name = "x_total", .help = "X.", .label_names = {"a"}});
  auto& b = r.AddCounter({.name = "x_total", .help = "X.", .label_names = {"a"}});
  EXPECT_EQ(&a, &b);
}

TEST(RegistryTest, RejectsAConflictingRegistrationOfTheSameName) {
  Registry r;
  r.AddCounter({.name = "x_total", .help = "X.", .label_names = {"a"}});
  EXPECT_THROW(r.AddCounter({.name = "x_total", .help = "X.", .label_names = {"b"}}),
               std::invalid_argument);
  EXPECT_THROW(r.AddCounter({.name = "x_total", .help = "Other.", .label_names = {"a"}}),
               std::invalid_argument);
  EXPECT_THROW(r.AddCallbackCounter("x_total", "X.", [] { return 1.0; }), std::invalid_argument);
}

TEST(RegistryTest, RejectsNamesThatClashWithAHistogramsSeries) {
  Registry r;
  r.AddHistogram({.name = "rpc_seconds", .help = "RPC."}, {1});
  EXPECT_THROW(r.AddGauge({.name = "rpc_seconds", .help = "G."}), std::invalid_argument);
  // "rpc_seconds_bucket" is already a series name of the histogram above.
  EXPECT_THROW(r.AddHistogram({.name = "rpc_seconds_bucket", .help = "H."}, {1}),
               std::invalid_argument);
}

TEST(RegistryTest, EnforcesPrometheusNamingRules) {
  Registry r;
  EXPECT_THROW(r.AddCounter({.name = "requests", .help = "No _total."}), std::invalid_argument);
  EXPECT_THROW(r.AddGauge({.name = "items_total", .help = "Gauge with _total."}),
               std::invalid_argument);
  EXPECT_THROW(r.AddGauge({.name = "items_count", .help = "Reserved suffix."}),
               std::invalid_argument);
  EXPECT_THROW(r.AddGauge({.name = "bad-name", .help = "Dash."}), std::invalid_argument);
  EXPECT_THROW(r.AddGauge({.name = "no_help"}), std::invalid_argument);
  EXPECT_THROW(r.AddGauge({.name = "bad_help", .help = "\xff"}), std::invalid_argument);
  EXPECT_THROW(r.AddGauge({.name = "g", .help = "G.", .label_names = {"__name__"}}),
               std::invalid_argument);
  EXPECT_THROW(r.AddGauge({.name = "g", .help = "G.", .label_names = {"a", "a"}}),
               std::invalid_argument);
  EXPECT_THROW(r.AddHistogram({.name = "h", .help = "H.", .label_names = {"le"}}, {1}),
               std::invalid_argument);
  EXPECT_THROW(r.AddGauge({.name = "g", .help = "G.", .max_series = 0}), std::invalid_argument);
}

TEST(RegistryTest, ValidatesHistogramBounds) {
  Registry r;
  EXPECT_THROW(r.AddHistogram({.name = "a", .help = "A."}, {1, 1}), std::invalid_argument);
  EXPECT_THROW(r.AddHistogram({.name = "b", .help = "B."}, {2, 1}), std::invalid_argument);
  EXPECT_THROW(r.AddHistogram({.name = "c", .help = "C."}, {std::nan(""), 1}),
               std::invalid_argument);
  auto& d = r.AddHistogram({.name = "d", .help = "D."}, {1, HUGE_VAL});
  EXPECT_EQ(d.bucket_bounds().size(), 1u);  // the explicit +Inf is implicit anyway
}

class TwoFamilies final : public Collector {
 public:
  std::vector<std::string> Describe() const override { return {"b_custom", "a_custom"}; }
  void Collect(std::vector<FamilySnapshot>& out) const override {
    for (const char* name : {"b_custom", "a_custom"}) {
      FamilySnapshot& f = out.emplace_back();
      f.name = name;
      f.help = "Custom.";
      f.metrics.emplace_back().value = 1;
    }
  }
};

TEST(RegistryTest, MergesCollectorFamiliesSortedByName) {
  Registry r;
  r.AddGauge({.name = "m_gauge", .help = "M."});
  r.AddCollector(std::make_shared<TwoFamilies>());
  const auto families = r.Collect();
  ASSERT_EQ(families.size(), 3u);
  EXPECT_EQ(families[0].name, "a_custom");
  EXPECT_EQ(families[1].name, "b_custom");
  EXPECT_EQ(families[2].name, "m_gauge");
}

TEST(RegistryTest, RejectsACollectorWhoseNamesAreTaken) {
  Registry r;
  r.AddGauge({.name = "a_custom", .help = "Taken."});
  EXPECT_THROW(r.AddCollector(std::make_shared<TwoFamilies>()), std::invalid_argument);
}

TEST(RegistryTest, ReadsCallbackGaugesAtScrapeTime) {
  Registry r;
  std::atomic<int> depth{1};
  r.AddCallbackGauge("depth", "Depth.", [&depth] { return static_cast<double>(depth.load()); });
  EXPECT_EQ(r.Collect()[0].metrics[0].value, 1);
  depth = 7;
  EXPECT_EQ(r.Collect()[0].metrics[0].value, 7);
}

TEST(RegistryTest, ScrapesConcurrentlyWithUpdatesAndNewSeries) {
  Registry r;
  auto& f = r.AddCounter({.name = "c_total", .help = "C.", .label_names = {"k"}});
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop.load(std::memory_order_relaxed); ++i) {
      f.WithLabelValues({std::to_string(i % 50)}).Inc();
    }
  });
  for (int i = 0; i < 200; ++i) {
    const auto families = r.Collect();
    ASSERT_EQ(families.size(), 1u);
    ASSERT_LE(families[0].metrics.size(), 50u);
  }
  stop = true;
  writer.join();
}

}  // namespace
}  // namespace obs
