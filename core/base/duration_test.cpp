#include "core/base/duration.hpp"

#include <gtest/gtest.h>

namespace core {
namespace {

TEST(ParseDurationTest, AcceptsUnitsAndBareMilliseconds) {
  EXPECT_EQ(ParseDuration("250ms"), std::chrono::milliseconds(250));
  EXPECT_EQ(ParseDuration("10s"), std::chrono::seconds(10));
  EXPECT_EQ(ParseDuration("2m"), std::chrono::minutes(2));
  EXPECT_EQ(ParseDuration("42"), std::chrono::milliseconds(42));
  EXPECT_EQ(ParseDuration("0"), std::chrono::milliseconds(0));
}

TEST(ParseDurationTest, RejectsGarbage) {
  EXPECT_EQ(ParseDuration(""), std::nullopt);
  EXPECT_EQ(ParseDuration("-1s"), std::nullopt);
  EXPECT_EQ(ParseDuration("1h"), std::nullopt);
  EXPECT_EQ(ParseDuration("s"), std::nullopt);
  EXPECT_EQ(ParseDuration("10 s"), std::nullopt);
  EXPECT_EQ(ParseDuration("99999999999999999999s"), std::nullopt);
}

TEST(ParseDurationTest, CapsAtTheMaximumSoNanosecondsCannotOverflow) {
  EXPECT_EQ(ParseDuration(std::to_string(kMaxDuration.count())), kMaxDuration);
  EXPECT_EQ(ParseDuration(std::to_string(kMaxDuration.count() + 1)), std::nullopt);
  EXPECT_EQ(ParseDuration("9223372036854775807ms"), std::nullopt);
  EXPECT_EQ(ParseDuration("9223372036854775s"), std::nullopt);
  EXPECT_EQ(ParseDuration("153722867280912m"), std::nullopt);
  // The cap leaves room for nanoseconds: converting never overflows.
  EXPECT_GT(std::chrono::nanoseconds::max().count() / 1'000'000, kMaxDuration.count());
}

TEST(FormatDurationTest, RoundTrips) {
  for (std::int64_t ms : {0, 1, 999, 1000, 1500, 60'000, 90'000, 120'000}) {
    const auto d = std::chrono::milliseconds(ms);
    EXPECT_EQ(ParseDuration(FormatDuration(d)), d) << FormatDuration(d);
  }
  EXPECT_EQ(FormatDuration(std::chrono::seconds(10)), "10s");
  EXPECT_EQ(FormatDuration(std::chrono::minutes(2)), "2m");
  EXPECT_EQ(FormatDuration(std::chrono::milliseconds(250)), "250ms");
}

}  // namespace
}  // namespace core
