#include "01_rate_limiter_service_mini/limiter/client_ip.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace ratelimit {
namespace {

core::IpAddress Ip(std::string_view s) { return core::IpAddress::Parse(s).value(); }

TrustedProxies Trust(std::vector<std::string> cidrs) {
  return TrustedProxies::Parse(cidrs).value();
}

std::string Client(std::string_view peer, std::vector<std::string_view> xff,
                   const TrustedProxies& trusted) {
  return ClientIp(Ip(peer), xff, trusted).ToString();
}

TEST(TrustedProxiesTest, ParseNamesTheBadEntry) {
  std::vector<std::string> cidrs = {"10.0.0.0/8", "banana"};
  const auto r = TrustedProxies::Parse(cidrs);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail.rfind("trusted_proxies[1]: ", 0), 0u) << r.error().detail;
}

class ClientIpTest : public ::testing::Test {
 protected:
  TrustedProxies trusted_ = Trust({"10.0.0.0/8", "2001:db8:ffff::/48"});
};

TEST_F(ClientIpTest, UntrustedPeerIgnoresForwardedFor) {
  EXPECT_EQ(Client("203.0.113.9", {"198.51.100.1"}, trusted_), "203.0.113.9");
}

TEST_F(ClientIpTest, TrustedPeerWithoutHeaderIsTheClient) {
  EXPECT_EQ(Client("10.0.0.1", {}, trusted_), "10.0.0.1");
}

TEST_F(ClientIpTest, TakesTheRightmostUntrustedAddress) {
  // The client may prepend anything; only what our proxies appended is believed.
  EXPECT_EQ(Client("10.0.0.1", {"6.6.6.6, 198.51.100.7, 10.0.0.2"}, trusted_), "198.51.100.7");
}

TEST_F(ClientIpTest, WalksAcrossSeveralHeaderLinesInOrder) {
  EXPECT_EQ(Client("10.0.0.1", {"6.6.6.6, 198.51.100.7", "10.0.0.3,10.0.0.2"}, trusted_),
            "198.51.100.7");
}

TEST_F(ClientIpTest, SkipsEmptyListElements) {
  EXPECT_EQ(Client("10.0.0.1", {"198.51.100.7,, ", ""}, trusted_), "198.51.100.7");
}

TEST_F(ClientIpTest, HandlesIpv6AndBracketsWithPorts) {
  EXPECT_EQ(Client("2001:db8:ffff::1", {"2001:db8:1::5, [2001:db8:ffff::2]:443"}, trusted_),
            "2001:db8:1::5");
}

TEST_F(ClientIpTest, HandlesIpv4WithPorts) {
  EXPECT_EQ(Client("10.0.0.1", {"198.51.100.7:5555"}, trusted_), "198.51.100.7");
}

TEST_F(ClientIpTest, GarbageStopsTheWalkAtTheNearestTrustedHop) {
  EXPECT_EQ(Client("10.0.0.1", {"198.51.100.7, unknown, 10.0.0.2"}, trusted_), "10.0.0.2");
  EXPECT_EQ(Client("10.0.0.1", {"<script>"}, trusted_), "10.0.0.1");
}

TEST_F(ClientIpTest, AllTrustedReturnsTheLeftmost) {
  EXPECT_EQ(Client("10.0.0.1", {"10.9.9.9, 10.0.0.2"}, trusted_), "10.9.9.9");
}

TEST_F(ClientIpTest, MappedPeerIsMatchedAsIpv4) {
  EXPECT_EQ(Client("::ffff:10.0.0.1", {"198.51.100.7"}, trusted_), "198.51.100.7");
}

TEST_F(ClientIpTest, EmptyTrustListAlwaysReturnsThePeer) {
  EXPECT_EQ(Client("10.0.0.1", {"198.51.100.7"}, TrustedProxies()), "10.0.0.1");
}

}  // namespace
}  // namespace ratelimit
