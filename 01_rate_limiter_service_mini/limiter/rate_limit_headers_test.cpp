#include "01_rate_limiter_service_mini/limiter/rate_limit_headers.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace ratelimit {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

Decision Allowed(std::int64_t remaining, nanoseconds reset) {
  Decision d;
  d.allowed = true;
  d.limit = 5;
  d.remaining = remaining;
  d.reset_after = reset;
  return d;
}

Decision Refused(nanoseconds retry, nanoseconds reset) {
  Decision d;
  d.limit = 5;
  d.retry_after = retry;
  d.reset_after = reset;
  return d;
}

TEST(CeilSecondsTest, RoundsUp) {
  EXPECT_EQ(CeilSeconds(nanoseconds(0)), 0);
  EXPECT_EQ(CeilSeconds(nanoseconds(1)), 1);
  EXPECT_EQ(CeilSeconds(milliseconds(500)), 1);
  EXPECT_EQ(CeilSeconds(seconds(1)), 1);
  EXPECT_EQ(CeilSeconds(seconds(1) + nanoseconds(1)), 2);
  EXPECT_EQ(CeilSeconds(nanoseconds(-5)), 0);
}

TEST(PolicyOfTest, TokenBucketAdvertisesBurstOverItsRefillTime) {
  // The seed's 2/s burst 5 refills in 2.5 s, advertised as 3 (rounded up: never promise more).
  const QuotaPolicy p = PolicyOf(DefaultRule());
  EXPECT_EQ(p.name, "default");
  EXPECT_EQ(p.quota, 5);
  EXPECT_EQ(p.window_seconds, 3);
}

TEST(PolicyOfTest, SlidingWindowAdvertisesItsLimitAndWindow) {
  const Rule r = ParseRuleFlag("name=w,algo=sliding_window,rate=100/m").value();
  const QuotaPolicy p = PolicyOf(r);
  EXPECT_EQ(p.quota, 100);
  EXPECT_EQ(p.window_seconds, 60);
}

TEST(PolicyOfTest, WindowIsNeverZero) {
  const Rule r = ParseRuleFlag("name=fast,rate=100/s,burst=1").value();
  EXPECT_EQ(PolicyOf(r).window_seconds, 1);
}

TEST(FormatRateLimitPolicyTest, FormatsAStructuredFieldList) {
  const std::vector<QuotaPolicy> one = {{"default", 100, 10}};
  EXPECT_EQ(FormatRateLimitPolicy(one), R"("default";q=100;w=10)");
  const std::vector<QuotaPolicy> two = {{"permin", 50, 60}, {"perhr", 1000, 3600}};
  EXPECT_EQ(FormatRateLimitPolicy(two), R"("permin";q=50;w=60, "perhr";q=1000;w=3600)");
}

TEST(FormatRateLimitTest, AllowedShowsRemainingAndTimeToFullRecovery) {
  EXPECT_EQ(FormatRateLimit("default", Allowed(50, seconds(30))), R"("default";r=50;t=30)");
  EXPECT_EQ(FormatRateLimit("default", Allowed(4, milliseconds(500))), R"("default";r=4;t=1)");
}

TEST(FormatRateLimitTest, RefusedUsesTheRetryDelaySoRetryAfterMatches) {
  const Decision d = Refused(milliseconds(500), milliseconds(2500));
  EXPECT_EQ(FormatRateLimit("ping", d), R"("ping";r=0;t=1)");
  EXPECT_EQ(RetryAfterValue(d), "1");
}

TEST(FormatRateLimitTest, NeverFallsBackToTheResetTime) {
  const Decision d = Refused(Decision::kNever, seconds(2));
  EXPECT_EQ(FormatRateLimit("ping", d), R"("ping";r=0;t=2)");
}

TEST(FormatRateLimitTest, AddsAPartitionKeyAsAByteSequence) {
  // The draft's own example: "trial121323" is :dHJpYWwxMjEzMjM=:
  EXPECT_EQ(FormatRateLimit("default", Allowed(999, seconds(0)), "trial121323"),
            R"("default";r=999;t=0;pk=:dHJpYWwxMjEzMjM=:)");
  EXPECT_EQ(FormatRateLimit("p", Allowed(1, seconds(0)), "App-999"),
            R"("p";r=1;t=0;pk=:QXBwLTk5OQ==:)");
  EXPECT_EQ(FormatRateLimit("p", Allowed(1, seconds(0)), "ab"), R"("p";r=1;t=0;pk=:YWI=:)");
}

TEST(RetryAfterValueTest, RoundsUpAndIsAtLeastOne) {
  EXPECT_EQ(RetryAfterValue(Refused(nanoseconds(1), seconds(1))), "1");
  EXPECT_EQ(RetryAfterValue(Refused(seconds(1) + nanoseconds(1), seconds(2))), "2");
  EXPECT_EQ(RetryAfterValue(Refused(seconds(60), seconds(60))), "60");
}

TEST(RetryAfterValueTest, AbsentWhenAllowedOrNever) {
  EXPECT_FALSE(RetryAfterValue(Allowed(1, seconds(1))));
  EXPECT_FALSE(RetryAfterValue(Refused(Decision::kNever, seconds(1))));
}

TEST(SfStringTest, QuotesAndEscapes) {
  EXPECT_EQ(SfString("plain"), R"("plain")");
  EXPECT_EQ(SfString(R"(a"b\c)"), R"("a\"b\\c")");
  EXPECT_EQ(SfString("tab\there"), R"("tab?here")");
}

}  // namespace
}  // namespace ratelimit
