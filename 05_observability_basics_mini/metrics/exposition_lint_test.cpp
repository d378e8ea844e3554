#include "05_observability_basics_mini/metrics/exposition_lint.hpp"

#include <gtest/gtest.h>

#include "05_observability_basics_mini/metrics/registry.hpp"

namespace obs {
namespace {

constexpr std::string_view kGoodHistogram =
    "# HELP h Latency.\n# TYPE h histogram\n"
    "h_bucket{r=\"a\",le=\"0.1\"} 1\nh_bucket{r=\"a\",le=\"1\"} 2\nh_bucket{r=\"a\",le=\"+Inf\"} "
    "3\n"
    "h_sum{r=\"a\"} 4.5\nh_count{r=\"a\"} 3\n";

TEST(ExpositionLintTest, PassesAWellFormedHistogram) {
  EXPECT_TRUE(LintExposition(kGoodHistogram).empty());
}

TEST(ExpositionLintTest, FlagsInfBucketDifferentFromCount) {
  std::string text(kGoodHistogram);
  text.replace(text.find("h_count{r=\"a\"} 3"), 16, "h_count{r=\"a\"} 4");
  EXPECT_FALSE(LintExposition(text).empty());
}

TEST(ExpositionLintTest, FlagsDecreasingCumulativeCounts) {
  std::string text(kGoodHistogram);
  text.replace(text.find("le=\"1\"} 2"), 9, "le=\"1\"} 0");
  EXPECT_FALSE(LintExposition(text).empty());
}

TEST(ExpositionLintTest, FlagsAMissingInfBucket) {
  const std::string text = "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_sum 1\nh_count 2\n";
  EXPECT_FALSE(LintExposition(text).empty());
}

TEST(ExpositionLintTest, FlagsDuplicateSeriesAndUndeclaredSamples) {
  EXPECT_FALSE(LintExposition("# TYPE g gauge\ng{a=\"1\"} 1\ng{a=\"1\"} 2\n").empty());
  EXPECT_FALSE(LintExposition("orphan 1\n").empty());
  EXPECT_FALSE(LintExposition("# TYPE c_total counter\nc_total -1\n").empty());
}

TEST(ExpositionLintTest, PassesOurOwnRegistrysOutput) {
  Registry r;
  auto& h = r.AddHistogram({.name = "x_seconds", .help = "X.", .label_names = {"k"}}, {0.5, 1});
  h.WithLabelValues({"quote\"and\\slash"}).Observe(0.7);
  h.WithLabelValues({"b"}).Observe(2);
  r.AddCounter({.name = "y_total", .help = "Y."}).WithLabelValues({}).Inc();
  const std::string text = r.ExposeText();
  EXPECT_TRUE(LintExposition(text).empty()) << text;
}

}  // namespace
}  // namespace obs
