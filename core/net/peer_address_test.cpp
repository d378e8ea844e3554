// PeerAddressText prints what Asio prints, for every kind of peer; ToIpAddress folds and keys.
#include "core/net/peer_address.hpp"

#include <gtest/gtest.h>

#include <string>

namespace core {
namespace {

namespace ip = boost::asio::ip;

std::string Text(const char* literal) {
  return std::string(PeerAddressText(ip::make_address(literal)).view());
}

TEST(PeerAddressTextTest, MatchesAsioForEveryKindOfPeer) {
  for (const char* literal :
       {"192.0.2.1", "0.0.0.1", "255.255.255.255", "2001:db8::1", "::1", "fe80::1%1",
        "::ffff:192.0.2.1", "2001:db8:0:0:1:0:0:1", "1:2:3:4:5:6:7:8"}) {
    EXPECT_EQ(Text(literal), ip::make_address(literal).to_string()) << literal;
  }
}

TEST(PeerAddressTextTest, UnspecifiedPeerIsEmpty) {
  EXPECT_EQ(Text("0.0.0.0"), "");
  EXPECT_EQ(Text("::"), "");
  EXPECT_EQ(PeerAddressText(ip::address()).view(), "");
}

TEST(ToIpAddressTest, FoldsMappedIpv6AndKeepsTheBytes) {
  EXPECT_EQ(ToIpAddress(ip::make_address("::ffff:192.0.2.1")), IpAddress::Parse("192.0.2.1"));
  EXPECT_EQ(ToIpAddress(ip::make_address("192.0.2.1")), IpAddress::Parse("192.0.2.1"));
  EXPECT_EQ(ToIpAddress(ip::make_address("2001:db8::1")), IpAddress::Parse("2001:db8::1"));
}

}  // namespace
}  // namespace core
