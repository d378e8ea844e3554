#include "06_reliability_patterns_mini/policy/retry_after.hpp"

#include <gtest/gtest.h>

namespace reliability {
namespace {

using std::chrono::seconds;
using SysTime = std::chrono::system_clock::time_point;

// RFC 9110's example instant: Sun, 06 Nov 1994 08:49:37 GMT.
constexpr std::int64_t kExample = 784111777;
SysTime At(std::int64_t unix_seconds) { return SysTime(seconds(unix_seconds)); }

TEST(RetryAfterTest, UnixSecondsMatchesKnownInstants) {
  EXPECT_EQ(UnixSeconds(1970, 1, 1, 0, 0, 0), 0);
  EXPECT_EQ(UnixSeconds(1994, 11, 6, 8, 49, 37), kExample);
  EXPECT_EQ(UnixSeconds(2000, 3, 1, 0, 0, 0), 951868800);
}

TEST(RetryAfterTest, DelaySeconds) {
  EXPECT_EQ(ParseRetryAfter("120", At(kExample)), seconds(120));
  EXPECT_EQ(ParseRetryAfter("0", At(kExample)), seconds(0));
  EXPECT_EQ(ParseRetryAfter(" \t7 ", At(kExample)), seconds(7));  // OWS around the value
}

TEST(RetryAfterTest, HugeDelayIsClampedNotOverflowed) {
  EXPECT_EQ(ParseRetryAfter("99999999999999999999999999", At(0)), kMaxRetryAfter);
}

TEST(RetryAfterTest, MalformedDelaysAreRejected) {
  for (const char* bad : {"", " ", "-1", "+3", "1.5", "10s", "1 2", "0x10", "١"}) {
    EXPECT_EQ(ParseRetryAfter(bad, At(kExample)), std::nullopt) << bad;
  }
}

TEST(RetryAfterTest, AllThreeDateFormats) {
  const SysTime now = At(kExample - 30);
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now), seconds(30));
  EXPECT_EQ(ParseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", now), seconds(30));
  EXPECT_EQ(ParseRetryAfter("Sun Nov  6 08:49:37 1994", now), seconds(30));
  EXPECT_EQ(ParseRetryAfter("Sun Nov 16 08:49:37 1994", now), seconds(30 + 10 * 86400));
}

TEST(RetryAfterTest, DateInThePastMeansNow) {
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", At(kExample + 100)), seconds(0));
}

TEST(RetryAfterTest, Rfc850TwoDigitYearIsNeverMoreThanFiftyYearsAhead) {
  // Now is December 2030: "81" cannot be 2081 (51 years ahead), so it is 1981; "31" is 2031.
  const SysTime now = At(UnixSeconds(2030, 12, 1, 0, 0, 0));
  EXPECT_EQ(ParseRetryAfter("Thursday, 01-Jan-81 00:00:00 GMT", now), seconds(0));
  EXPECT_EQ(ParseRetryAfter("Wednesday, 01-Jan-31 00:00:00 GMT", now), seconds(31 * 86400));
}

TEST(RetryAfterTest, ImpossibleDatesAreRejected) {
  const SysTime now = At(0);
  for (const char* bad : {
           "Sun, 30 Feb 2024 00:00:00 GMT",  // no such day
           "Sun, 29 Feb 2023 00:00:00 GMT",  // not a leap year
           "Sun, 06 Nov 1994 24:00:00 GMT",  // hour
           "Sun, 06 Nov 1994 08:60:00 GMT",  // minute
           "Sun, 06 Foo 1994 08:49:37 GMT",  // month
           "Sun, 06 Nov 1994 08:49:37 UTC",  // zone must be GMT
           "Sun, 6 Nov 1994 08:49:37 GMT",   // two-digit day
           "Sun, 06 Nov 1994 08:49:37 GMT trailing",
           "Xyz, 06 Nov 1994 08:49:37 GMT",
           "Sun Nov  6 08:49:37 94",
       }) {
    EXPECT_EQ(ParseRetryAfter(bad, now), std::nullopt) << bad;
  }
  EXPECT_NE(ParseRetryAfter("Thu, 29 Feb 2024 00:00:00 GMT", now), std::nullopt);
  EXPECT_NE(ParseRetryAfter("Sat, 31 Dec 2016 23:59:60 GMT", now), std::nullopt);  // leap second
}

}  // namespace
}  // namespace reliability
