#include "01_rate_limiter_service_mini/limiter/rule.hpp"

#include <gtest/gtest.h>

namespace ratelimit {
namespace {

using std::chrono::seconds;

std::string ErrorOf(const core::Result<Rule>& r) {
  return r ? std::string("<no error>") : r.error().detail;
}

TEST(DefaultRuleTest, MatchesTheSeed) {
  const Rule r = DefaultRule();
  EXPECT_EQ(r.name, "default");
  EXPECT_EQ(r.algorithm, Algorithm::kTokenBucket);
  EXPECT_EQ(r.quota.rate(), (Rate{2, seconds(1)}));
  EXPECT_EQ(r.quota.burst(), 5);
  EXPECT_EQ(r.key_source, KeySource::kIp);
  EXPECT_FALSE(r.shadow);
  EXPECT_EQ(r.failure_mode, FailureMode::kOpen);
}

TEST(ParseRuleFlagTest, ParsesEveryField) {
  const Rule r = ParseRuleFlag(
                     "name=api,algo=gcra,rate=100/m,burst=20,key=header:X-Api-Key,shadow=true,"
                     "failure=closed")
                     .value();
  EXPECT_EQ(r.name, "api");
  EXPECT_EQ(r.algorithm, Algorithm::kGcra);
  EXPECT_EQ(r.quota.rate(), (Rate{100, std::chrono::minutes(1)}));
  EXPECT_EQ(r.quota.burst(), 20);
  EXPECT_EQ(r.key_source, KeySource::kHeader);
  EXPECT_EQ(r.header, "x-api-key");
  EXPECT_TRUE(r.shadow);
  EXPECT_EQ(r.failure_mode, FailureMode::kClosed);
}

TEST(ParseRuleFlagTest, AppliesDefaultsForOmittedFields) {
  const Rule r = ParseRuleFlag("name=ping,rate=2/s").value();
  EXPECT_EQ(r.algorithm, Algorithm::kTokenBucket);
  EXPECT_EQ(r.quota.burst(), 2) << "burst defaults to the rate's count";
  EXPECT_EQ(r.key_source, KeySource::kIp);
  EXPECT_FALSE(r.shadow);
  EXPECT_EQ(r.failure_mode, FailureMode::kOpen);
}

TEST(ParseRuleFlagTest, AcceptsLongKeyNames) {
  const Rule r =
      ParseRuleFlag("name=x,algorithm=sliding_window,rate=10/m,failure_mode=open").value();
  EXPECT_EQ(r.algorithm, Algorithm::kSlidingWindow);
  EXPECT_EQ(r.quota.burst(), 10);
}

TEST(ParseRuleFlagTest, ErrorsNameTheField) {
  EXPECT_EQ(ErrorOf(ParseRuleFlag("rate=2/s")), "--rule name: is required");
  EXPECT_NE(ErrorOf(ParseRuleFlag("name=a,rate=2/s,algo=leaky")).find("--rule algorithm: "),
            std::string::npos);
  EXPECT_NE(ErrorOf(ParseRuleFlag("name=a,rate=0/s")).find("--rule rate: "), std::string::npos);
  EXPECT_NE(ErrorOf(ParseRuleFlag("name=a,rate=2/s,burst=five")).find("--rule burst: "),
            std::string::npos);
  EXPECT_NE(ErrorOf(ParseRuleFlag("name=a,rate=2/s,burst=0")).find("--rule burst: "),
            std::string::npos);
  EXPECT_NE(ErrorOf(ParseRuleFlag("name=a,rate=2/s,key=cookie")).find("--rule key: "),
            std::string::npos);
  EXPECT_NE(ErrorOf(ParseRuleFlag("name=a,rate=2/s,shadow=yes")).find("--rule shadow: "),
            std::string::npos);
  EXPECT_NE(ErrorOf(ParseRuleFlag("name=a,rate=2/s,failure=maybe")).find("--rule failure_mode: "),
            std::string::npos);
}

TEST(ParseRuleFlagTest, RejectsUnknownAndRepeatedKeys) {
  EXPECT_NE(ErrorOf(ParseRuleFlag("name=a,rate=2/s,brust=5")).find("--rule brust: unknown key"),
            std::string::npos);
  EXPECT_NE(ErrorOf(ParseRuleFlag("name=a,rate=2/s,rate=3/s")).find("given twice"),
            std::string::npos);
  EXPECT_NE(ErrorOf(ParseRuleFlag("name=a,rate=2/s,oops")).find("expected key=value"),
            std::string::npos);
}

TEST(ParseRuleFlagTest, RejectsBadNames) {
  EXPECT_FALSE(ParseRuleFlag("name=,rate=2/s"));
  EXPECT_FALSE(ParseRuleFlag("name=has space,rate=2/s"));
  EXPECT_FALSE(ParseRuleFlag("name=quote\",rate=2/s"));
  EXPECT_FALSE(ParseRuleFlag("name=" + std::string(65, 'a') + ",rate=2/s"));
  EXPECT_TRUE(ParseRuleFlag("name=" + std::string(64, 'a') + ",rate=2/s"));
}

TEST(ParseRuleFlagTest, RejectsAnInvalidHeaderName) {
  EXPECT_FALSE(ParseRuleFlag("name=a,rate=2/s,key=header:"));
  EXPECT_FALSE(ParseRuleFlag("name=a,rate=2/s,key=header:x api"));
}

TEST(ParseRuleFlagTest, SlidingWindowRejectsASeparateBurst) {
  EXPECT_NE(ErrorOf(ParseRuleFlag("name=a,algo=sliding_window,rate=10/m,burst=20"))
                .find("--rule burst: sliding_window has no separate burst"),
            std::string::npos);
  EXPECT_TRUE(ParseRuleFlag("name=a,algo=sliding_window,rate=10/m,burst=10"));
}

TEST(MakeRuleTest, PrefixesErrorsWithTheLocation) {
  RuleFields f;
  f.name = "a";
  EXPECT_EQ(ErrorOf(MakeRule(f, "rules[3]")),
            "rules[3].rate: is required (e.g. \"2/s\", \"100/m\")");
}

TEST(FormatRuleFlagTest, RoundTripsThroughParseRuleFlag) {
  for (const char* flag :
       {"name=default,algo=token_bucket,rate=2/s,burst=5,key=ip,shadow=false,failure=open",
        "name=api,algo=gcra,rate=100/m,burst=20,key=header:x-api-key,shadow=true,failure=closed",
        "name=w,algo=sliding_window,rate=10/30s,burst=10,key=route,shadow=false,failure=open",
        "name=d,algo=token_bucket,rate=5/500ms,burst=1,key=descriptor,shadow=false,failure=open"}) {
    EXPECT_EQ(FormatRuleFlag(ParseRuleFlag(flag).value()), flag);
  }
  EXPECT_EQ(ParseRuleFlag(FormatRuleFlag(DefaultRule())).value().quota.burst(), 5);
}

}  // namespace
}  // namespace ratelimit
