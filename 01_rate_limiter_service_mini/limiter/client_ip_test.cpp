#include "01_rate_limiter_service_mini/limiter/client_ip.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace ratelimit {
namespace {

IpAddress Ip(std::string_view s) { return IpAddress::Parse(s).value(); }

TrustedProxies Trust(std::vector<std::string> cidrs) {
  return TrustedProxies::Parse(cidrs).value();
}

std::string Client(std::string_view peer, std::vector<std::string_view> xff,
                   const TrustedProxies& trusted) {
  return ClientIp(Ip(peer), xff, trusted).ToString();
}

TEST(IpAddressTest, ParsesIpv4) {
  const IpAddress ip = Ip("192.0.2.1");
  EXPECT_EQ(ip.family(), IpAddress::Family::kV4);
  EXPECT_EQ(ip.ToString(), "192.0.2.1");
}

TEST(IpAddressTest, ParsesAndCanonicalizesIpv6) {
  EXPECT_EQ(Ip("2001:DB8:0:0:0:0:0:1").ToString(), "2001:db8::1");
  EXPECT_EQ(Ip("::1").ToString(), "::1");
  EXPECT_EQ(Ip("2001:db8::1"), Ip("2001:0db8:0000::0001"));
}

TEST(IpAddressTest, FoldsIpv4MappedIpv6IntoIpv4) {
  const IpAddress ip = Ip("::ffff:192.0.2.1");
  EXPECT_EQ(ip.family(), IpAddress::Family::kV4);
  EXPECT_EQ(ip, Ip("192.0.2.1"));
}

TEST(IpAddressTest, FormatsEveryIpv4OctetWidth) {
  for (const char* text : {"0.0.0.0", "255.255.255.255", "10.0.99.100", "1.22.133.4"}) {
    EXPECT_EQ(Ip(text).ToString(), text);
  }
}

TEST(IpAddressTest, BuildsFromSocketBytesLikeParse) {
  EXPECT_EQ(IpAddress::FromV4({192, 0, 2, 1}), Ip("192.0.2.1"));
  EXPECT_EQ(IpAddress::FromV6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}),
            Ip("2001:db8::1"));
  const IpAddress mapped =
      IpAddress::FromV6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1});
  EXPECT_EQ(mapped.family(), IpAddress::Family::kV4);
  EXPECT_EQ(mapped, Ip("192.0.2.1"));
  EXPECT_EQ(mapped.ToString(), "192.0.2.1");
}

TEST(IpAddressTest, RejectsNonLiterals) {
  for (const char* bad :
       {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4 ", "a.b.c.d", "1.2.3.4:80",
        "[::1]", "fe80::1%eth0", "2001:db8:::1", "unknown", "0x7f.0.0.1", "::ffff:1.2.3.4.5"}) {
    EXPECT_FALSE(IpAddress::Parse(bad)) << bad;
  }
}

TEST(IpAddressTest, ParseForwardedDropsPortsBracketsAndSpaces) {
  EXPECT_EQ(IpAddress::ParseForwarded(" 192.0.2.1:8080 ").value(), Ip("192.0.2.1"));
  EXPECT_EQ(IpAddress::ParseForwarded("[2001:db8::1]:443").value(), Ip("2001:db8::1"));
  EXPECT_EQ(IpAddress::ParseForwarded("[2001:db8::1]").value(), Ip("2001:db8::1"));
  EXPECT_EQ(IpAddress::ParseForwarded("\t2001:db8::1").value(), Ip("2001:db8::1"));
  EXPECT_FALSE(IpAddress::ParseForwarded("192.0.2.1:http"));
  EXPECT_FALSE(IpAddress::ParseForwarded("[2001:db8::1"));
  EXPECT_FALSE(IpAddress::ParseForwarded("[2001:db8::1]x"));
  EXPECT_FALSE(IpAddress::ParseForwarded("_hidden"));
}

TEST(IpAddressTest, MaskedClearsHostBits) {
  EXPECT_EQ(Ip("192.0.2.77").Masked(24).ToString(), "192.0.2.0");
  EXPECT_EQ(Ip("192.0.2.77").Masked(29).ToString(), "192.0.2.72");
  EXPECT_EQ(Ip("2001:db8:1:2:3:4:5:6").Masked(64).ToString(), "2001:db8:1:2::");
  EXPECT_EQ(Ip("2001:db8::1").Masked(0).ToString(), "::");
  EXPECT_EQ(Ip("192.0.2.77").Masked(99).ToString(), "192.0.2.77");
}

TEST(IpNetworkTest, ParsesCidrsAndBareAddresses) {
  EXPECT_EQ(IpNetwork::Parse("10.0.0.0/8").value().ToString(), "10.0.0.0/8");
  EXPECT_EQ(IpNetwork::Parse("192.0.2.1").value().ToString(), "192.0.2.1/32");
  EXPECT_EQ(IpNetwork::Parse("2001:db8::/32").value().ToString(), "2001:db8::/32");
  EXPECT_EQ(IpNetwork::Parse("::1").value().ToString(), "::1/128");
  EXPECT_EQ(IpNetwork::Parse("0.0.0.0/0").value().ToString(), "0.0.0.0/0");
}

TEST(IpNetworkTest, TurnsIpv4MappedPrefixesIntoIpv4) {
  EXPECT_EQ(IpNetwork::Parse("::ffff:10.0.0.0/104").value().ToString(), "10.0.0.0/8");
  EXPECT_FALSE(IpNetwork::Parse("::ffff:0.0.0.0/95"));
}

TEST(IpNetworkTest, RejectsBadCidrs) {
  for (const char* bad :
       {"10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "10.0.0.0/8x", "2001:db8::/129", "nope/8", ""}) {
    EXPECT_FALSE(IpNetwork::Parse(bad)) << bad;
  }
}

TEST(IpNetworkTest, RejectsHostBitsAndSuggestsTheNetwork) {
  const auto r = IpNetwork::Parse("10.0.0.1/8");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("did you mean 10.0.0.0/8?"), std::string::npos)
      << r.error().detail;
}

TEST(IpNetworkTest, ContainsMatchesPrefixAndFamily) {
  const IpNetwork v4 = IpNetwork::Parse("10.0.0.0/8").value();
  EXPECT_TRUE(v4.Contains(Ip("10.255.0.1")));
  EXPECT_FALSE(v4.Contains(Ip("11.0.0.1")));
  EXPECT_FALSE(v4.Contains(Ip("::a00:1"))) << "an IPv6 address is never in an IPv4 block";
  EXPECT_TRUE(v4.Contains(Ip("::ffff:10.1.1.1")));
  const IpNetwork v6 = IpNetwork::Parse("2001:db8::/32").value();
  EXPECT_TRUE(v6.Contains(Ip("2001:db8:ffff::1")));
  EXPECT_FALSE(v6.Contains(Ip("2001:db9::1")));
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
