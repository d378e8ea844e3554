#include "05_observability_basics_mini/metrics/text_format.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace obs {
namespace {

std::string Escaped(std::string_view value) {
  std::string out;
  AppendEscapedLabelValue(out, value);
  return out;
}

std::string Number(double v) {
  std::string out;
  AppendNumber(out, v);
  return out;
}

TEST(TextFormatTest, EscapesBackslashQuoteAndNewlineInLabelValues) {
  EXPECT_EQ(Escaped(R"(a\b"c)"
                    "\n"
                    "d"),
            R"(a\\b\"c\nd)");
  EXPECT_EQ(Escaped("plain /r/{code} \xc3\xa9"), "plain /r/{code} \xc3\xa9");
}

TEST(TextFormatTest, EscapesBackslashAndNewlineButNotQuotesInHelp) {
  std::string out;
  AppendEscapedHelp(out, "a \\ \"b\"\nc");
  EXPECT_EQ(out, "a \\\\ \"b\"\\nc");
}

TEST(TextFormatTest, FormatsNumbersShortestAndSpecialsAsPrometheusSpellsThem) {
  EXPECT_EQ(Number(0), "0");
  EXPECT_EQ(Number(3), "3");
  EXPECT_EQ(Number(0.005), "0.005");
  EXPECT_EQ(Number(-2.5), "-2.5");
  EXPECT_EQ(Number(1e21), "1e+21");
  EXPECT_EQ(Number(HUGE_VAL), "+Inf");
  EXPECT_EQ(Number(-HUGE_VAL), "-Inf");
  EXPECT_EQ(Number(std::nan("")), "NaN");
}

TEST(TextFormatTest, WritesACounterFamily) {
  FamilySnapshot f{.name = "http_requests_total",
                   .help = "Requests.",
                   .type = MetricType::kCounter,
                   .label_names = {"method", "code"},
                   .bucket_bounds = {},
                   .metrics = {{.label_values = {"GET", "200"}, .value = 7},
                               {.label_values = {"POST", "500"}, .value = 1}}};
  EXPECT_EQ(FormatText(std::span(&f, 1)),
            "# HELP http_requests_total Requests.\n"
            "# TYPE http_requests_total counter\n"
            "http_requests_total{method=\"GET\",code=\"200\"} 7\n"
            "http_requests_total{method=\"POST\",code=\"500\"} 1\n");
}

TEST(TextFormatTest, WritesAnUnlabelledGaugeWithoutBraces) {
  FamilySnapshot f{.name = "queue_depth", .help = "Depth.", .type = MetricType::kGauge};
  f.metrics.push_back({.value = 2.5});
  EXPECT_EQ(FormatText(std::span(&f, 1)),
            "# HELP queue_depth Depth.\n"
            "# TYPE queue_depth gauge\n"
            "queue_depth 2.5\n");
}

TEST(TextFormatTest, WritesHistogramBucketsSumAndCount) {
  FamilySnapshot f{.name = "latency_seconds",
                   .help = "Latency.",
                   .type = MetricType::kHistogram,
                   .label_names = {"route"},
                   .bucket_bounds = {0.1, 1}};
  f.metrics.push_back({.label_values = {"/a"}, .cumulative_counts = {1, 3, 4}, .sum = 5.25});
  EXPECT_EQ(FormatText(std::span(&f, 1)),
            "# HELP latency_seconds Latency.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{route=\"/a\",le=\"0.1\"} 1\n"
            "latency_seconds_bucket{route=\"/a\",le=\"1\"} 3\n"
            "latency_seconds_bucket{route=\"/a\",le=\"+Inf\"} 4\n"
            "latency_seconds_sum{route=\"/a\"} 5.25\n"
            "latency_seconds_count{route=\"/a\"} 4\n");
}

TEST(TextFormatTest, WritesAnUnlabelledHistogramWithOnlyTheLeLabel) {
  FamilySnapshot f{.name = "size_bytes",
                   .help = "Size.",
                   .type = MetricType::kHistogram,
                   .bucket_bounds = {1024}};
  f.metrics.push_back({.cumulative_counts = {0, 0}, .sum = 0});
  EXPECT_EQ(FormatText(std::span(&f, 1)),
            "# HELP size_bytes Size.\n"
            "# TYPE size_bytes histogram\n"
            "size_bytes_bucket{le=\"1024\"} 0\n"
            "size_bytes_bucket{le=\"+Inf\"} 0\n"
            "size_bytes_sum 0\n"
            "size_bytes_count 0\n");
}

TEST(TextFormatTest, SkipsFamiliesWithoutSeries) {
  FamilySnapshot f{.name = "empty_total", .help = "Nothing yet.", .type = MetricType::kCounter};
  EXPECT_EQ(FormatText(std::span(&f, 1)), "");
}

TEST(TextFormatTest, ContentTypeIsVersion004) {
  EXPECT_EQ(kTextContentType, "text/plain; version=0.0.4; charset=utf-8");
}

}  // namespace
}  // namespace obs
