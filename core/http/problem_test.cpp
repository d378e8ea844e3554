#include "core/http/problem.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "core/http/exchange.hpp"

namespace core {
namespace {

TEST(ProblemTest, BodyFollowsRfc9457) {
  auto v = boost::json::parse(ProblemJson(Error(Code::kRateLimited, "slow down"), "/ping", "abc"));
  auto& o = v.as_object();
  EXPECT_EQ(o.at("type").as_string(), "about:blank");
  EXPECT_EQ(o.at("title").as_string(), "Too Many Requests");
  EXPECT_EQ(o.at("status").as_int64(), 429);
  EXPECT_EQ(o.at("detail").as_string(), "slow down");
  EXPECT_EQ(o.at("code").as_string(), "rate_limited");
  EXPECT_EQ(o.at("instance").as_string(), "/ping");
  EXPECT_EQ(o.at("request_id").as_string(), "abc");
}

TEST(ProblemTest, DetailIsEscaped) {
  auto v = boost::json::parse(ProblemJson(Error(Code::kInvalidArgument, "bad \"x\"\n"), "", ""));
  EXPECT_EQ(v.as_object().at("detail").as_string(), "bad \"x\"\n");
  EXPECT_FALSE(v.as_object().contains("instance"));
}

TEST(ProblemTest, EveryCodeMapsToAnErrorStatus) {
  for (int c = static_cast<int>(Code::kInvalidArgument); c <= static_cast<int>(Code::kInternal);
       ++c) {
    const int status = HttpStatusOf(static_cast<Code>(c));
    EXPECT_GE(status, 400) << NameOf(static_cast<Code>(c));
    EXPECT_LT(status, 600);
  }
}

TEST(ExchangeTest, FailSetsProblemResponse) {
  Request req{http::verb::get, "/x?y=1", 11};
  Exchange ex(req, {}, 0);
  const std::string id = "rid";
  ex.attributes.Set(core::kRequestId, &id);
  ex.Fail(Error(Code::kNotFound, "nope"));
  EXPECT_EQ(ex.response.result_int(), 404);
  EXPECT_EQ(ex.response[http::field::content_type], kProblemContentType);
  EXPECT_NE(ex.response.body().find(R"("instance":"/x")"), std::string::npos);
  EXPECT_NE(ex.response.body().find(R"("request_id":"rid")"), std::string::npos);
}

TEST(ExchangeTest, QueryDecodesValues) {
  Request req{http::verb::get, "/v1/cache/k?ttl=10&name=a%20b&flag", 11};
  Exchange ex(req, {}, 0);
  EXPECT_EQ(ex.Path(), "/v1/cache/k");
  EXPECT_EQ(ex.Query("ttl"), "10");
  EXPECT_EQ(ex.Query("name"), "a b");
  EXPECT_EQ(ex.Query("flag"), "");
  EXPECT_EQ(ex.Query("missing"), std::nullopt);
}

TEST(ExchangeTest, MalformedQueryIsAbsentNotACrash) {
  Request req{http::verb::get, "/x?a=%zz", 11};
  Exchange ex(req, {}, 0);
  EXPECT_EQ(ex.Query("a"), std::nullopt);
}

}  // namespace
}  // namespace core
