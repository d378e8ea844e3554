#include "02_url_shortener_service_mini/http/link_json.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "02_url_shortener_service_mini/http/links_api.hpp"

namespace shortener {
namespace {

TEST(ParseCreateRequestTest, ReadsEveryMember) {
  auto r = ParseCreateRequest(
      R"({"url":"https://e.com","alias":"x-1","ttl":60,"max_visits":3,"redirect":308,)"
      R"("find_if_exists":true,"unknown":[1,2]})",
      false);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->url, "https://e.com");
  EXPECT_EQ(r->alias, "x-1");
  EXPECT_EQ(r->ttl_seconds, 60);
  EXPECT_EQ(r->max_visits, 3);
  EXPECT_EQ(r->redirect, 308);
  EXPECT_TRUE(r->find_if_exists);
  EXPECT_FALSE(r->expires_at);
}

TEST(ParseCreateRequestTest, TheSeedFormReadsOnlyTheUrl) {
  auto r = ParseCreateRequest(R"({"url":"https://e.com","alias":"ignored"})", true);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->alias);
}

TEST(ParseCreateRequestTest, NamesTheMemberThatIsWrong) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "body: not valid JSON"},
      {"{", "body: not valid JSON"},
      {"[1]", "body: a JSON object"},
      {"{}", "url: required"},
      {R"({"url":null})", "url: required"},
      {R"({"url":5})", "url: a string"},
      {R"({"url":"u","alias":1})", "alias: a string"},
      {R"({"url":"u","ttl":"60"})", "ttl: an integer"},
      {R"({"url":"u","ttl":1.5})", "ttl: an integer"},
      {R"({"url":"u","expires_at":true})", "expires_at: an integer"},
      {R"({"url":"u","max_visits":18446744073709551615})", "max_visits: an integer"},
      {R"({"url":"u","redirect":"301"})", "redirect: one of"},
      {R"({"url":"u","redirect":100000})", "redirect: one of"},
      {R"({"url":"u","find_if_exists":"yes"})", "find_if_exists: true or false"},
      {R"({"a":[[[[[[[[[[[[1]]]]]]]]]]]]})", "body: not valid JSON"},  // deeper than 8
  };
  for (const auto& [body, expect] : cases) {
    auto r = ParseCreateRequest(body, false);
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().code, core::Code::kInvalidArgument);
    EXPECT_NE(r.error().detail.find(expect), std::string::npos)
        << body << " → " << r.error().detail;
  }
}

TEST(LinkJsonTest, ShowsTheLinkWithNullsForWhatIsUnset) {
  Link link;
  link.code = "abc";
  link.url = "https://e.com/\"q\"";
  link.created_at = 100;
  link.expires_at = 200;
  link.visits = 7;
  auto v = boost::json::parse(LinkJson(link, "http://h/r/abc", 302, 150)).as_object();
  EXPECT_EQ(v.at("code").as_string(), "abc");
  EXPECT_EQ(v.at("short_url").as_string(), "http://h/r/abc");
  EXPECT_EQ(v.at("url").as_string(), "https://e.com/\"q\"");
  EXPECT_EQ(v.at("created_at").as_int64(), 100);
  EXPECT_EQ(v.at("expires_at").as_int64(), 200);
  EXPECT_TRUE(v.at("max_visits").is_null());
  EXPECT_TRUE(v.at("deleted_at").is_null());
  EXPECT_EQ(v.at("redirect").as_int64(), 302);
  EXPECT_EQ(v.at("visits").as_int64(), 7);
  EXPECT_EQ(v.at("state").as_string(), "active");
  auto expired = boost::json::parse(LinkJson(link, "u", 302, 200)).as_object();
  EXPECT_EQ(expired.at("state").as_string(), "expired");
}

TEST(StatsJsonTest, ListsDaysHostsAndTheBotShare) {
  LinkStats s;
  s.visits = 4;
  s.bot_visits = 1;
  s.per_day = {{19000, 3}, {19001, 1}};
  s.top_referrers = {{"news.example", 3}, {"", 1}};
  auto v = boost::json::parse(StatsJson("abc", s)).as_object();
  EXPECT_EQ(v.at("visits").as_int64(), 4);
  EXPECT_DOUBLE_EQ(v.at("bot_share").as_double(), 0.25);
  EXPECT_EQ(v.at("per_day").as_array()[0].as_object().at("day").as_string(), "2022-01-08");
  EXPECT_TRUE(v.at("top_referrers").as_array()[1].as_object().at("host").is_null());
  auto empty = boost::json::parse(StatsJson("abc", LinkStats{})).as_object();
  EXPECT_DOUBLE_EQ(empty.at("bot_share").as_double(), 0.0);
}

TEST(HostWithoutPortTest, DropsThePort) {
  EXPECT_EQ(HostWithoutPort("example.com:8080"), "example.com");
  EXPECT_EQ(HostWithoutPort("example.com"), "example.com");
  EXPECT_EQ(HostWithoutPort("[::1]:80"), "::1");
  EXPECT_EQ(HostWithoutPort(""), "");
}

}  // namespace
}  // namespace shortener
