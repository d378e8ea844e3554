#include "01_rate_limiter_service_mini/limiter/config.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace ratelimit {
namespace {

std::string ErrorOf(const core::Result<Config>& r) {
  return r ? std::string("<no error>") : r.error().detail;
}

constexpr const char* kGood = R"({
  "rules": [
    {"name": "ping", "algorithm": "token_bucket", "rate": "2/s", "burst": 5, "key": "ip"},
    {"name": "api", "algorithm": "gcra", "rate": "100/m", "key": "header:X-Api-Key",
     "shadow": true, "failure_mode": "closed"},
    {"name": "route", "algorithm": "sliding_window", "rate": "1000/h", "key": "route"}
  ],
  "trusted_proxies": ["10.0.0.0/8", "::1"]
})";

TEST(ParseConfigTest, ParsesRulesAndTrustedProxies) {
  const Config c = ParseConfig(kGood).value();
  ASSERT_EQ(c.rules.size(), 3u);
  EXPECT_EQ(c.rules[0].name, "ping");
  EXPECT_EQ(c.rules[0].quota.burst(), 5);
  EXPECT_EQ(c.rules[1].algorithm, Algorithm::kGcra);
  EXPECT_EQ(c.rules[1].header, "x-api-key");
  EXPECT_TRUE(c.rules[1].shadow);
  EXPECT_EQ(c.rules[1].failure_mode, FailureMode::kClosed);
  EXPECT_EQ(c.rules[2].algorithm, Algorithm::kSlidingWindow);
  EXPECT_EQ(c.rules[2].quota.burst(), 1000);
  ASSERT_EQ(c.trusted_proxies.networks().size(), 2u);
  EXPECT_TRUE(c.trusted_proxies.Contains(*core::IpAddress::Parse("10.1.2.3")));
  EXPECT_TRUE(c.trusted_proxies.Contains(*core::IpAddress::Parse("::1")));
}

TEST(ParseConfigTest, TrustedProxiesAreOptional) {
  const Config c = ParseConfig(R"({"rules":[{"name":"a","rate":"1/s"}]})").value();
  EXPECT_TRUE(c.trusted_proxies.empty());
}

TEST(ParseConfigTest, ReportsSyntaxErrors) {
  EXPECT_NE(ErrorOf(ParseConfig("{\"rules\": [")).find("config: invalid JSON"), std::string::npos);
  EXPECT_EQ(ErrorOf(ParseConfig("[]")), "config: must be a JSON object");
}

TEST(ParseConfigTest, RequiresAtLeastOneRule) {
  EXPECT_EQ(ErrorOf(ParseConfig("{}")), "rules: is required");
  EXPECT_EQ(ErrorOf(ParseConfig(R"({"rules": []})")), "rules: at least one rule is required");
  EXPECT_EQ(ErrorOf(ParseConfig(R"({"rules": {}})")), "rules: must be an array");
}

TEST(ParseConfigTest, RejectsUnknownMembersByName) {
  EXPECT_EQ(ErrorOf(ParseConfig(R"({"rules":[{"name":"a","rate":"1/s"}],"rulez":1})")),
            "rulez: unknown member (expected rules, trusted_proxies)");
  EXPECT_NE(ErrorOf(ParseConfig(R"({"rules":[{"name":"a","rate":"1/s","brust":5}]})"))
                .find("rules[0].brust: unknown member"),
            std::string::npos);
}

TEST(ParseConfigTest, ErrorsNameTheRuleAndField) {
  EXPECT_EQ(ErrorOf(ParseConfig(R"({"rules":[{"name":"a","rate":"1/s"},{"name":"b","rate":5}]})")),
            "rules[1].rate: must be a string");
  EXPECT_EQ(ErrorOf(ParseConfig(R"({"rules":[{"name":"a","rate":"1/s","burst":"5"}]})")),
            "rules[0].burst: must be an integer");
  EXPECT_EQ(ErrorOf(ParseConfig(R"({"rules":[{"name":"a","rate":"1/s","burst":2.5}]})")),
            "rules[0].burst: must be an integer");
  EXPECT_EQ(ErrorOf(ParseConfig(R"({"rules":[{"name":"a","rate":"1/s","shadow":"yes"}]})")),
            "rules[0].shadow: must be true or false");
  EXPECT_NE(
      ErrorOf(ParseConfig(R"({"rules":[{"name":"a","rate":"0/s"}]})")).find("rules[0].rate: "),
      std::string::npos);
  EXPECT_EQ(ErrorOf(ParseConfig(R"({"rules":[7]})")), "rules[0]: must be an object");
}

TEST(ParseConfigTest, RejectsDuplicateRuleNames) {
  EXPECT_EQ(
      ErrorOf(ParseConfig(R"({"rules":[{"name":"a","rate":"1/s"},{"name":"a","rate":"2/s"}]})")),
      "rules[1].name: duplicate rule name 'a'");
}

TEST(ParseConfigTest, ErrorsNameTheBadTrustedProxy) {
  const auto r = ParseConfig(R"({"rules":[{"name":"a","rate":"1/s"}],
                                 "trusted_proxies":["10.0.0.0/8","10.0.0.1/8"]})");
  EXPECT_NE(ErrorOf(r).find("trusted_proxies[1]: "), std::string::npos) << ErrorOf(r);
  EXPECT_EQ(ErrorOf(ParseConfig(R"({"rules":[{"name":"a","rate":"1/s"}],"trusted_proxies":[1]})")),
            "trusted_proxies[0]: must be a string");
}

TEST(LoadConfigFileTest, ReadsAFile) {
  const std::string path = ::testing::TempDir() + "ratelimit_config_test.json";
  {
    std::ofstream out(path);
    out << kGood;
  }
  const auto c = LoadConfigFile(path);
  std::remove(path.c_str());
  ASSERT_TRUE(c) << ErrorOf(c);
  EXPECT_EQ(c->rules.size(), 3u);
}

TEST(LoadConfigFileTest, NamesAMissingPath) {
  const auto c = LoadConfigFile("/nonexistent/ratelimit.json");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, core::Code::kInvalidArgument);
  EXPECT_NE(c.error().detail.find("/nonexistent/ratelimit.json"), std::string::npos);
}

}  // namespace
}  // namespace ratelimit
