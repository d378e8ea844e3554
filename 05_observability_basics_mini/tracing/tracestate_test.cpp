// tracestate validation and normalization. Cases mirror the W3C conformance suite
// (w3c/trace-context test/test.py, strict level 2): "inherited" there is a value here,
// "discarded" is nullopt. Where the suite still holds Level 1's key grammar, the current text wins
// and the test says so.
#include "05_observability_basics_mini/tracing/tracestate.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

namespace obs {
namespace {

std::optional<std::string> Normalize(std::vector<std::string> lines) {
  const std::vector<std::string_view> views(lines.begin(), lines.end());
  return NormalizeTracestate(views);
}

TEST(TracestateTest, KeepsMembersInOrder) {
  EXPECT_EQ(Normalize({"rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"}),
            "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
}

TEST(TracestateTest, CombinesMultipleHeaderLinesInOrder) {  // multiple_headers_different_keys
  EXPECT_EQ(Normalize({"foo=1,bar=2", "rojo=1,congo=2", "baz=3"}),
            "foo=1,bar=2,rojo=1,congo=2,baz=3");
}

TEST(TracestateTest, AcceptsEmptyHeadersAndEmptyMembers) {  // test_tracestate_empty_header
  EXPECT_EQ(Normalize({""}), "");
  EXPECT_EQ(Normalize({"foo=1", ""}), "foo=1");
  EXPECT_EQ(Normalize({"", "foo=1"}), "foo=1");
  EXPECT_EQ(Normalize({" , ,foo=1,,\t,"}), "foo=1");
  EXPECT_EQ(Normalize({}), "");
}

TEST(TracestateTest, DropsOptionalWhitespaceAroundMembers) {  // test_tracestate_ows_handling
  EXPECT_EQ(Normalize({"foo=1 \t , \t bar=2, \t baz=3"}), "foo=1,bar=2,baz=3");
  EXPECT_EQ(Normalize({"foo=1\t \t,\t \tbar=2,\t \tbaz=3"}), "foo=1,bar=2,baz=3");
  for (const std::string v : {" foo=1", "\tfoo=1", "foo=1 ", "foo=1\t", "\t foo=1 \t"}) {
    EXPECT_EQ(Normalize({v}), "foo=1") << "'" << v << "'";
  }
}

// The current text lets a receiver pass repeated keys on or drop them, never the whole header
// (the suite's test_tracestate_duplicated_keys accepts both); we keep the first, left-most entry.
TEST(TracestateTest, KeepsTheFirstEntryOfARepeatedKey) {  // test_tracestate_duplicated_keys
  EXPECT_EQ(Normalize({"foo=1,foo=1"}), "foo=1");
  EXPECT_EQ(Normalize({"foo=1,foo=2"}), "foo=1");
  EXPECT_EQ(Normalize({"foo=1", "foo=1"}), "foo=1");
  EXPECT_EQ(Normalize({"foo=1", "foo=2"}), "foo=1");
  EXPECT_EQ(Normalize({"foo=1,bar=2,foo=3,baz=4,bar=5"}), "foo=1,bar=2,baz=4");
}

TEST(TracestateTest, KeysThatDifferOnlyAroundAnAtSignAreDistinct) {
  EXPECT_EQ(Normalize({"foo=1,foo@t=2,t@foo=3,foo@=4"}), "foo=1,foo@t=2,t@foo=3,foo@=4");
}

TEST(TracestateTest, StillDiscardsTheHeaderWhenAnotherMemberIsInvalid) {
  EXPECT_EQ(Normalize({"foo=1,foo=2,BAD=3"}), std::nullopt);
}

TEST(TracestateTest, AcceptsEveryAllowedCharacter) {  // test_tracestate_all_allowed_characters
  std::string key;
  for (char c = 'a'; c <= 'z'; ++c) key += c;
  key += "0123456789_-*/";
  std::string value;
  for (int c = 0x20; c <= 0x7e; ++c) {
    if (c != ',' && c != '=') value += static_cast<char>(c);
  }
  EXPECT_EQ(Normalize({key + "=" + value}), key + "=" + value);
  const std::string vendor_key = key + "@a-z0-9_-*/";
  EXPECT_EQ(Normalize({vendor_key + "=" + value}), vendor_key + "=" + value);
}

TEST(TracestateTest, DiscardsIllegalKeys) {  // test_tracestate_key_illegal_characters
  EXPECT_EQ(Normalize({"foo =1"}), std::nullopt);
  EXPECT_EQ(Normalize({"FOO=1"}), std::nullopt);
  EXPECT_EQ(Normalize({"foo.bar=1"}), std::nullopt);
}

// Level 1's tenant@system split is gone: '@' is a key character like '/' anywhere but first. The
// suite's test_tracestate_key_illegal_vendor_format still expects the Level 1 verdicts for the
// last three; the current text makes them keys.
TEST(TracestateTest, AcceptsAnAtSignAnywhereButFirst) {
  EXPECT_EQ(Normalize({"@foo=1,bar=2"}), std::nullopt);
  EXPECT_EQ(Normalize({"foo@=1,bar=2"}), "foo@=1,bar=2");
  EXPECT_EQ(Normalize({"foo@@bar=1,bar=2"}), "foo@@bar=1,bar=2");
  EXPECT_EQ(Normalize({"foo@bar@baz=1,bar=2"}), "foo@bar@baz=1,bar=2");
  EXPECT_TRUE(IsValidTracestateKey("a@"));
  EXPECT_TRUE(IsValidTracestateKey("1@2"));
  EXPECT_FALSE(IsValidTracestateKey("@"));
}

std::vector<std::string> MembersLines(int count) {  // bar01=01 ... in lines of ten
  std::vector<std::string> lines;
  for (int i = 1; i <= count; ++i) {
    if ((i - 1) % 10 == 0) lines.emplace_back();
    char member[32];  // room for any int, so -Wformat-truncation has nothing to say at any -O
    std::snprintf(member, sizeof member, "bar%02d=%02d", i, i);
    if (!lines.back().empty()) lines.back() += ',';
    lines.back() += member;
  }
  return lines;
}

TEST(TracestateTest, AcceptsThirtyTwoMembers) {  // test_tracestate_member_count_limit
  const auto state = Normalize(MembersLines(32));
  ASSERT_TRUE(state.has_value());
  EXPECT_TRUE(state->starts_with("bar01=01,"));
  EXPECT_TRUE(state->ends_with(",bar32=32"));
}

TEST(TracestateTest, DiscardsThirtyThreeMembers) {
  EXPECT_EQ(Normalize(MembersLines(33)), std::nullopt);
}

TEST(TracestateTest, CountsRepeatedKeysTowardsTheMemberLimit) {  // the limit is on the wire
  auto lines = MembersLines(31);
  lines.emplace_back("bar01=99");
  EXPECT_EQ(Normalize(lines), Normalize(MembersLines(31)));
  lines.emplace_back("bar02=99");
  EXPECT_EQ(Normalize(lines), std::nullopt);
}

TEST(TracestateTest, EnforcesKeyLengthLimits) {  // test_tracestate_key_length_limit
  EXPECT_EQ(Normalize({"foo=1", std::string(256, 'z') + "=1"}),
            "foo=1," + std::string(256, 'z') + "=1");
  EXPECT_EQ(Normalize({"foo=1", std::string(257, 'z') + "=1"}), std::nullopt);
  EXPECT_TRUE(
      Normalize({"foo=1", std::string(241, 't') + "@" + std::string(14, 'v') + "=1"}).has_value());
}

TEST(TracestateTest, CountsAnAtSignKeyAsOneKeyOf256) {  // no 241/14 split any more
  const std::string tenant_242 = std::string(242, 't') + "@v";
  const std::string system_15 = "t@" + std::string(15, 'v');
  EXPECT_EQ(Normalize({tenant_242 + "=1"}), tenant_242 + "=1");
  EXPECT_EQ(Normalize({system_15 + "=1"}), system_15 + "=1");
  const std::string at_last = std::string(255, 'k') + "@";  // 256 characters
  const std::string at_second = "k@" + std::string(254, 'k');
  EXPECT_TRUE(IsValidTracestateKey(at_last));
  EXPECT_TRUE(IsValidTracestateKey(at_second));
  EXPECT_FALSE(IsValidTracestateKey(at_last + "k"));    // 257
  EXPECT_FALSE(IsValidTracestateKey(at_second + "@"));  // 257
  EXPECT_FALSE(IsValidTracestateKey("@" + std::string(255, 'k')));
}

TEST(TracestateTest, DiscardsIllegalValues) {  // test_tracestate_value_illegal_characters
  EXPECT_EQ(Normalize({"foo=bar=baz"}), std::nullopt);
  EXPECT_EQ(Normalize({"foo=,bar=3"}), std::nullopt);
  EXPECT_EQ(Normalize({"foo=a\x01"}), std::nullopt);
  EXPECT_EQ(Normalize({"foo"}), std::nullopt);
}

TEST(TracestateTest, KeepsLeadingSpacesOfAValue) { EXPECT_EQ(Normalize({"foo= 1"}), "foo= 1"); }

TEST(TracestateTest, ValueLengthIsAtMost256) {
  EXPECT_TRUE(IsValidTracestateValue(std::string(256, 'x')));
  EXPECT_FALSE(IsValidTracestateValue(std::string(257, 'x')));
}

TEST(TracestateTest, KeysStartWithALowercaseLetterOrADigit) {
  EXPECT_TRUE(IsValidTracestateKey("1tenant@vendor"));
  EXPECT_TRUE(IsValidTracestateKey("1simple"));
  EXPECT_TRUE(IsValidTracestateKey("tenant@1vendor"));
  EXPECT_TRUE(IsValidTracestateKey("9"));
  EXPECT_FALSE(IsValidTracestateKey(""));
  EXPECT_FALSE(IsValidTracestateKey("_x"));
  EXPECT_FALSE(IsValidTracestateKey("Ax"));
  EXPECT_FALSE(IsValidTracestateKey("a.b"));
}

TEST(TracestateTest, TruncatesLongEntriesFirstThenFromTheRight) {
  // Six 100-character entries (605 chars with commas) exceed 512; no entry is over 128, so the
  // rightmost goes: five remain (504).
  std::vector<std::string> lines;
  for (char k = 'a'; k < 'g'; ++k) lines.push_back(std::string(1, k) + "=" + std::string(98, 'v'));
  auto state = Normalize(lines);
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->size(), 5 * 100 + 4u);
  EXPECT_EQ(state->find("f="), std::string::npos);

  // A 200-character entry in the middle is dropped before any short one.
  lines = {"a=" + std::string(98, 'v'), "big=" + std::string(196, 'v'), "c=" + std::string(98, 'v'),
           "d=" + std::string(98, 'v'), "e=" + std::string(98, 'v')};
  state = Normalize(lines);
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->find("big="), std::string::npos);
  EXPECT_TRUE(state->ends_with("e=" + std::string(98, 'v')));
  EXPECT_LE(state->size(), kMaxTracestateLength);
}

}  // namespace
}  // namespace obs
