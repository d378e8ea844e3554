#include "01_rate_limiter_service_mini/limiter/keys.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace ratelimit {
namespace {

core::IpAddress Ip(std::string_view s) { return core::IpAddress::Parse(s).value(); }

std::string DescriptorError(std::string_view json) {
  auto r = ParseDescriptors(boost::json::parse(json));
  return r ? std::string("<no error>") : r.error().detail;
}

TEST(IpKeyTest, Ipv4IsTheBareAddressNeverAPort) {
  EXPECT_EQ(IpKey(Ip("203.0.113.7")), "203.0.113.7");
  EXPECT_EQ(IpKey(Ip("::ffff:203.0.113.7")), "203.0.113.7");
}

TEST(IpKeyTest, Ipv6IsKeyedByItsSlash64ByDefault) {
  EXPECT_EQ(IpKey(Ip("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
  EXPECT_EQ(IpKey(Ip("2001:db8:1:2:bbbb::9")), IpKey(Ip("2001:db8:1:2:aaaa::1")));
}

TEST(IpKeyTest, Ipv6PrefixIsConfigurable) {
  EXPECT_EQ(IpKey(Ip("2001:db8:1:2::1"), 48), "2001:db8:1::/48");
  EXPECT_EQ(IpKey(Ip("2001:db8:1:2::1"), 128), "2001:db8:1:2::1");
}

TEST(HeaderKeyTest, IsThePrefixedValueTrimmedOfSurroundingWhitespaceOnly) {
  EXPECT_EQ(HeaderKey("x-api-key", "  abc def\t").value(), "h:abc def");
  EXPECT_EQ(HeaderKey("x-api-key", " \t ").value(), "");
  EXPECT_EQ(HeaderKey("x-api-key", "").value(), "");
}

// One limit, one meaning: a client may choose 512 bytes of key whichever front door it uses. The
// header path used to count our "h:" prefix and refuse API keys of 511 and 512 bytes.
TEST(ClientKeyLimitTest, AHeaderValueOf512BytesIsAKeyAnd513IsRefused) {
  const std::string value(kMaxKeyBytes, 'k');
  EXPECT_EQ(HeaderKey("x-api-key", value).value(), "h:" + value);
  EXPECT_TRUE(HeaderKey("x-api-key", " " + value + "\t"));  // trimmed before it is measured
  const auto over = HeaderKey("x-api-key", value + "k");
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, core::Code::kInvalidArgument);
  EXPECT_EQ(over.error().detail, "x-api-key: longer than 512 bytes");
}

TEST(ClientKeyLimitTest, ACheckKeyOf512BytesIsAcceptedAnd513IsRefused) {  // POST /v1/check
  EXPECT_TRUE(ValidateClientKey(std::string(kMaxKeyBytes, 'k'), "key"));
  const auto over = ValidateClientKey(std::string(kMaxKeyBytes + 1, 'k'), "key");
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, core::Code::kInvalidArgument);
  EXPECT_EQ(over.error().detail, "key: longer than 512 bytes");
}

TEST(ClientKeyLimitTest, TheLongestHeaderKeyFitsTheLimitersBackstop) {
  EXPECT_EQ(HeaderKey("x-api-key", std::string(kMaxKeyBytes, 'k')).value().size(),
            kMaxStoredKeyBytes);
}

TEST(RouteKeyTest, IsThePattern) { EXPECT_EQ(RouteKey("/ping"), "/ping"); }

TEST(DescriptorKeyTest, JoinsPairsInOrder) {
  const std::vector<Descriptor> d = {{"user", "42"}, {"path", "/v1/x"}};
  EXPECT_EQ(DescriptorKey(d), "user=42;path=/v1/x");
}

TEST(DescriptorKeyTest, OrderIsSignificant) {
  const std::vector<Descriptor> a = {{"a", "1"}, {"b", "2"}};
  const std::vector<Descriptor> b = {{"b", "2"}, {"a", "1"}};
  EXPECT_NE(DescriptorKey(a), DescriptorKey(b));
}

TEST(DescriptorKeyTest, EscapesSeparatorsSoDistinctListsNeverCollide) {
  const std::vector<Descriptor> a = {{"a", "b=c"}};
  const std::vector<Descriptor> b = {{"a=b", "c"}};
  const std::vector<Descriptor> c = {{"a", "1;b=2"}};
  const std::vector<Descriptor> d = {{"a", "1"}, {"b", "2"}};
  EXPECT_NE(DescriptorKey(a), DescriptorKey(b));
  EXPECT_NE(DescriptorKey(c), DescriptorKey(d));
  EXPECT_EQ(DescriptorKey(a), "a=b%3Dc");
  EXPECT_EQ(DescriptorKey(std::vector<Descriptor>{{"k", "50% off\n"}}), "k=50%25%20off%0A");
}

TEST(ParseDescriptorsTest, ParsesEnvoyStyleList) {
  const auto d = ParseDescriptors(
                     boost::json::parse(R"([{"key":"user","value":"42"},{"key":"op","value":""}])"))
                     .value();
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0], (Descriptor{"user", "42"}));
  EXPECT_EQ(d[1], (Descriptor{"op", ""}));
}

TEST(ParseDescriptorsTest, ErrorsNameTheElement) {
  EXPECT_EQ(DescriptorError(R"({"key":"a"})"),
            "descriptors: must be an array of {key, value} objects");
  EXPECT_EQ(DescriptorError("[]"), "descriptors: must hold 1..16 entries");
  EXPECT_EQ(DescriptorError(R"([{"key":"a","value":"1"}, 5])"),
            "descriptors[1]: must be an object");
  EXPECT_EQ(DescriptorError(R"([{"key":"a","value":1}])"),
            "descriptors[0].value: must be a string");
  EXPECT_EQ(DescriptorError(R"([{"value":"1"}])"), "descriptors[0].key: is required and non-empty");
  EXPECT_EQ(DescriptorError(R"([{"key":"a"}])"), "descriptors[0].value: is required");
  EXPECT_EQ(DescriptorError(R"([{"key":"a","value":"1","x":"y"}])"),
            "descriptors[0].x: unknown member (expected key, value)");
}

TEST(ParseDescriptorsTest, CapsTheNumberOfEntries) {
  std::string json = "[";
  for (int i = 0; i < 17; ++i) json += std::string(i ? "," : "") + R"({"key":"k","value":"v"})";
  json += "]";
  EXPECT_EQ(DescriptorError(json), "descriptors: must hold 1..16 entries");
}

}  // namespace
}  // namespace ratelimit
