#include "05_observability_basics_mini/metrics/metric_names.hpp"

#include <gtest/gtest.h>

namespace obs {
namespace {

TEST(MetricNamesTest, AcceptsDataModelMetricNames) {
  for (const char* name : {"http_requests_total", "a", "_x", ":recorded:rule", "A9_:b"}) {
    EXPECT_TRUE(IsValidMetricName(name)) << name;
  }
}

TEST(MetricNamesTest, RejectsInvalidMetricNames) {
  for (const char* name : {"", "9lives", "has-dash", "has space", "dot.ted", "caf\xc3\xa9"}) {
    EXPECT_FALSE(IsValidMetricName(name)) << name;
  }
}

TEST(MetricNamesTest, LabelNamesAllowNoColonAndNoReservedPrefix) {
  EXPECT_TRUE(IsValidLabelName("method"));
  EXPECT_TRUE(IsValidLabelName("_private"));
  EXPECT_FALSE(IsValidLabelName("__name__"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
  EXPECT_FALSE(IsValidLabelName("1st"));
  EXPECT_FALSE(IsValidLabelName(""));
}

TEST(MetricNamesTest, ValidatesUtf8) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));  // é € 😀
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));          // truncated
}

TEST(MetricNamesTest, SanitizeReplacesEachBadByteWithReplacementCharacter) {
  EXPECT_EQ(SanitizeUtf8("ok \xc3\xa9"), "ok \xc3\xa9");
  EXPECT_EQ(SanitizeUtf8("a\xff"
                         "b"),
            "a\xef\xbf\xbd"
            "b");
  EXPECT_EQ(SanitizeUtf8("\xe2\x82"), "\xef\xbf\xbd\xef\xbf\xbd");
}

}  // namespace
}  // namespace obs
