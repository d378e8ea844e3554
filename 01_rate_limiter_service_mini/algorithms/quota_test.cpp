#include "01_rate_limiter_service_mini/algorithms/quota.hpp"

#include <gtest/gtest.h>

namespace ratelimit {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(ParseRateTest, AcceptsCountPerUnit) {
  EXPECT_EQ(ParseRate("2/s").value(), (Rate{2, seconds(1)}));
  EXPECT_EQ(ParseRate("100/m").value(), (Rate{100, minutes(1)}));
  EXPECT_EQ(ParseRate("1000/h").value(), (Rate{1000, hours(1)}));
  EXPECT_EQ(ParseRate("10000/d").value(), (Rate{10000, hours(24)}));
}

TEST(ParseRateTest, AcceptsAPeriodMultiplier) {
  EXPECT_EQ(ParseRate("10/30s").value(), (Rate{10, seconds(30)}));
  EXPECT_EQ(ParseRate("5/500ms").value(), (Rate{5, milliseconds(500)}));
}

TEST(ParseRateTest, RejectsZeroRate) {
  auto r = ParseRate("0/s");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::Code::kInvalidArgument);
  EXPECT_NE(r.error().detail.find(">= 1"), std::string::npos) << r.error().detail;
}

TEST(ParseRateTest, RejectsMalformedText) {
  for (const char* bad : {"", "2", "2/", "/s", "-2/s", "2/x", "2/0s", "2.5/s", "2/s ", " 2/s",
                          "2/ms5", "99999999999999999999/s"}) {
    EXPECT_FALSE(ParseRate(bad)) << bad;
  }
}

TEST(ParseRateTest, RejectsPeriodsOutsideOneMillisecondToAYear) {
  EXPECT_FALSE(ParseRate("1/367d"));
  EXPECT_TRUE(ParseRate("1/366d"));
  EXPECT_FALSE(ParseRate("1/1000000000d"));  // multiplier * unit would overflow
}

TEST(ParseRateTest, RejectsMoreThanAMillionPerSecond) {
  EXPECT_TRUE(ParseRate("1000000/s"));
  EXPECT_FALSE(ParseRate("1000001/s"));
  EXPECT_TRUE(ParseRate("2/ms"));  // 2000/s
}

TEST(FormatRateTest, UsesTheLargestWholeUnit) {
  EXPECT_EQ(FormatRate(Rate{2, seconds(1)}), "2/s");
  EXPECT_EQ(FormatRate(Rate{100, minutes(1)}), "100/m");
  EXPECT_EQ(FormatRate(Rate{10, seconds(90)}), "10/90s");
  EXPECT_EQ(FormatRate(Rate{5, milliseconds(500)}), "5/500ms");
  EXPECT_EQ(FormatRate(Rate{1, hours(48)}), "1/2d");
}

TEST(FormatRateTest, RoundTripsThroughParseRate) {
  for (const char* text : {"2/s", "100/m", "10/30s", "5/500ms", "7/h", "1/366d"}) {
    EXPECT_EQ(FormatRate(ParseRate(text).value()), text);
  }
}

TEST(QuotaTest, ReducesTheRateForExactTokenArithmetic) {
  const Quota q = Quota::Make(Rate{2, seconds(1)}, 5).value();
  EXPECT_EQ(q.units_per_token(), 500'000'000);
  EXPECT_EQ(q.units_per_ns(), 1);
  EXPECT_EQ(q.emission_interval_ns(), 500'000'000);
  EXPECT_EQ(q.fill_time(), milliseconds(2500));
}

TEST(QuotaTest, KeepsRatesThatDoNotDivideEvenly) {
  const Quota q = Quota::Make(Rate{3, seconds(1)}, 3).value();
  EXPECT_EQ(q.units_per_token(), 1'000'000'000);
  EXPECT_EQ(q.units_per_ns(), 3);
  EXPECT_EQ(q.emission_interval_ns(), 333'333'334);
  EXPECT_EQ(q.fill_time(), seconds(1));
}

TEST(QuotaTest, RejectsBurstBelowOne) {
  auto q = Quota::Make(Rate{2, seconds(1)}, 0);
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().code, core::Code::kInvalidArgument);
}

TEST(QuotaTest, RejectsAFillTimeOverACentury) {
  EXPECT_FALSE(Quota::Make(Rate{1, hours(24 * 366)}, 1'000));
  EXPECT_TRUE(Quota::Make(Rate{1, hours(24 * 366)}, 99));
}

TEST(QuotaTest, RejectsInvalidRates) {
  EXPECT_FALSE(Quota::Make(Rate{0, seconds(1)}, 1));
  EXPECT_FALSE(Quota::Make(Rate{1, seconds(0)}, 1));
}

TEST(QuotaTest, DefaultIsValidOnePerSecond) {
  const Quota q;
  EXPECT_EQ(q.rate(), (Rate{1, seconds(1)}));
  EXPECT_EQ(q.burst(), 1);
  EXPECT_EQ(q.fill_time(), seconds(1));
}

}  // namespace
}  // namespace ratelimit
