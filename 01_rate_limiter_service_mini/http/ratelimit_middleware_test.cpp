#include "01_rate_limiter_service_mini/http/ratelimit_middleware.hpp"

#include <gtest/gtest.h>

#include "01_rate_limiter_service_mini/limiter/sharded_memory_store.hpp"
#include "core/base/clock.hpp"

namespace ratelimit {
namespace {

namespace ip = boost::asio::ip;

// KeyFor is where the socket's address becomes a bucket key: it must agree with the text forms
// the decision API and the Redis keys use, for every address family a listener can hand over.
class RateLimitMiddlewareKeyTest : public ::testing::Test {
 protected:
  std::string KeyFor(const char* peer, std::vector<std::string> trusted = {},
                     const char* xff = nullptr) {
    RateLimitScope scope;
    scope.rule = limiter_->FindRule("default");
    scope.trusted_proxies = TrustedProxies::Parse(trusted).value();
    RateLimitMiddleware middleware(decider_, std::move(scope));
    core::Request request;
    if (xff != nullptr) request.set("X-Forwarded-For", xff);
    core::Exchange ex(request, ip::make_address(peer), 40000);
    return middleware.KeyFor(ex).value();
  }

  core::FakeClock clock_;
  ShardedMemoryStore store_;
  std::unique_ptr<Limiter> limiter_ = Limiter::Create({DefaultRule()}, store_, clock_).value();
  Decider decider_{*limiter_, nullptr};
};

TEST_F(RateLimitMiddlewareKeyTest, Ipv4PeerIsItsDottedQuad) {
  EXPECT_EQ(KeyFor("192.0.2.1"), "192.0.2.1");
}

TEST_F(RateLimitMiddlewareKeyTest, MappedIpv6PeerIsTheSameClientAsIpv4) {
  EXPECT_EQ(KeyFor("::ffff:192.0.2.1"), "192.0.2.1");
}

TEST_F(RateLimitMiddlewareKeyTest, Ipv6PeerIsKeyedByItsSlash64) {
  EXPECT_EQ(KeyFor("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
}

TEST_F(RateLimitMiddlewareKeyTest, ForwardedForIsBelievedOnlyFromATrustedPeer) {
  EXPECT_EQ(KeyFor("127.0.0.1", {"127.0.0.1"}, "198.51.100.7"), "198.51.100.7");
  EXPECT_EQ(KeyFor("203.0.113.9", {"127.0.0.1"}, "198.51.100.7"), "203.0.113.9");
}

}  // namespace
}  // namespace ratelimit
