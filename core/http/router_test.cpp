#include "core/http/router.hpp"

#include <gtest/gtest.h>

namespace core {
namespace {

Task<void> Noop(Exchange&) { co_return; }

class RouterTest : public ::testing::Test {
 protected:
  Router::Match Find(http::verb m, std::string_view path) { return router_.Find(m, path, params_); }
  Router router_;
  PathParams params_;
};

TEST_F(RouterTest, MatchesLiteralPath) {
  router_.Get("/hello", Noop);
  auto m = Find(http::verb::get, "/hello");
  EXPECT_EQ(m.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(m.route, "/hello");
}

TEST_F(RouterTest, RootMatchesOnlyRoot) {
  router_.Get("/", Noop);
  EXPECT_EQ(Find(http::verb::get, "/").kind, Router::Match::Kind::kFound);
  EXPECT_EQ(Find(http::verb::get, "/x").kind, Router::Match::Kind::kNotFound);
}

TEST_F(RouterTest, CapturesAndDecodesParameters) {
  router_.Get("/r/{code}", Noop);
  auto m = Find(http::verb::get, "/r/ab%20c");
  ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(m.route, "/r/{code}");
  EXPECT_EQ(params_.Get("code"), "ab c");
}

TEST_F(RouterTest, ParameterNeverMatchesEmptySegment) {
  router_.Get("/r/{code}", Noop);
  EXPECT_EQ(Find(http::verb::get, "/r/").kind, Router::Match::Kind::kNotFound);
}

TEST_F(RouterTest, SegmentCountMustMatch) {
  router_.Get("/a/{b}", Noop);
  EXPECT_EQ(Find(http::verb::get, "/a").kind, Router::Match::Kind::kNotFound);
  EXPECT_EQ(Find(http::verb::get, "/a/b/c").kind, Router::Match::Kind::kNotFound);
  EXPECT_EQ(Find(http::verb::get, "/a/b/").kind, Router::Match::Kind::kNotFound);
}

TEST_F(RouterTest, LiteralWinsOverParameterWhateverTheOrder) {
  router_.Get("/r/{code}", Noop);
  router_.Get("/r/new", Noop);
  EXPECT_EQ(Find(http::verb::get, "/r/new").route, "/r/new");
  EXPECT_EQ(Find(http::verb::get, "/r/old").route, "/r/{code}");
}

TEST_F(RouterTest, RestParameterTakesTheRemainder) {
  router_.Get("/api/{rest...}", Noop);
  auto m = Find(http::verb::get, "/api/users/42");
  ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(params_.Get("rest"), "users/42");
}

TEST_F(RouterTest, WrongMethodListsAllowedMethods) {
  router_.Get("/v1/cache/{key}", Noop);
  router_.Put("/v1/cache/{key}", Noop);
  router_.Delete("/v1/cache/{key}", Noop);
  auto m = Find(http::verb::post, "/v1/cache/k");
  EXPECT_EQ(m.kind, Router::Match::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "GET, HEAD, PUT, DELETE");
  EXPECT_EQ(m.route, "/v1/cache/{key}");
}

TEST_F(RouterTest, HeadUsesTheGetRoute) {
  router_.Get("/hello", Noop);
  EXPECT_EQ(Find(http::verb::head, "/hello").kind, Router::Match::Kind::kFound);
}

TEST_F(RouterTest, MalformedEscapeDoesNotMatch) {
  router_.Get("/r/{code}", Noop);
  EXPECT_EQ(Find(http::verb::get, "/r/%zz").kind, Router::Match::Kind::kNotFound);
  EXPECT_EQ(Find(http::verb::get, "/r/%4").kind, Router::Match::Kind::kNotFound);
}

TEST_F(RouterTest, NonOriginFormTargetsDoNotMatch) {
  router_.Get("/hello", Noop);
  EXPECT_EQ(Find(http::verb::get, "*").kind, Router::Match::Kind::kNotFound);
  EXPECT_EQ(Find(http::verb::get, "").kind, Router::Match::Kind::kNotFound);
}

TEST_F(RouterTest, RejectsBadPatternsAtStartUp) {
  EXPECT_THROW(router_.Get("hello", Noop), std::invalid_argument);
  EXPECT_THROW(router_.Get("/a/{}", Noop), std::invalid_argument);
  EXPECT_THROW(router_.Get("/a/{rest...}/b", Noop), std::invalid_argument);
  EXPECT_THROW(router_.Get("/a/x{y}", Noop), std::invalid_argument);
  router_.Get("/dup", Noop);
  EXPECT_THROW(router_.Get("/dup", Noop), std::invalid_argument);
}

TEST(PercentDecodeTest, DecodesEscapesAndRejectsBrokenOnes) {
  std::string out;
  EXPECT_TRUE(PercentDecode("a%2Fb%2fc", out));
  EXPECT_EQ(out, "a/b/c");
  EXPECT_FALSE(PercentDecode("%", out));
  EXPECT_FALSE(PercentDecode("%a", out));
  EXPECT_FALSE(PercentDecode("%gg", out));
}

}  // namespace
}  // namespace core
