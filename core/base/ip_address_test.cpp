// IpAddress, IpAddressText and IpNetwork: strict and lenient parsing, canonical text (with and
// without allocating), socket bytes, masks and CIDR blocks.
#include "core/base/ip_address.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <string>

namespace core {
namespace {

IpAddress Ip(std::string_view s) { return IpAddress::Parse(s).value(); }

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

TEST(IpAddressTextTest, IsToStringWithoutTheAllocation) {
  for (const char* text : {"0.0.0.0", "255.255.255.255", "192.0.2.1", "10.0.99.100", "::", "::1",
                           "2001:db8::1", "fe80::1:2:3:4", "2001:db8:1:2::"}) {
    EXPECT_EQ(IpAddressText(Ip(text)).view(), text);
    EXPECT_EQ(Ip(text).ToString(), text);
  }
}

TEST(IpAddressTextTest, MatchesInetNtopForIpv6) {
  // What Asio's and glibc's formatters print for an unscoped address is what we print.
  const std::array<std::uint8_t, 16> bytes = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0,    1,
                                              0,    0,    0,    0,    0, 0, 0xab, 0xcd};
  char expected[INET6_ADDRSTRLEN];
  ASSERT_NE(inet_ntop(AF_INET6, bytes.data(), expected, sizeof expected), nullptr);
  EXPECT_EQ(IpAddressText(IpAddress::FromV6(bytes)).view(), expected);
}

TEST(IpAddressTextTest, TheLongestTextFits) {
  const IpAddress widest = Ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  EXPECT_EQ(IpAddressText(widest).view(), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  EXPECT_LE(IpAddressText(widest).view().size(), IpAddress::kMaxTextSize);
  EXPECT_EQ(IpAddressText(Ip("255.255.255.255")).view().size(), 15u);
}

}  // namespace
}  // namespace core
