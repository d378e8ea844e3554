// Hex encoding: every byte value, appended or written in place, and decoding's refusals.
#include "core/base/hex.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace core {
namespace {

TEST(HexTest, EveryByteIsTwoLowercaseDigits) {
  std::vector<std::uint8_t> all(256);
  for (int i = 0; i < 256; ++i) all[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i);
  const std::string hex = ToHex(all);
  ASSERT_EQ(hex.size(), 512u);
  EXPECT_EQ(hex.substr(0, 8), "00010203");
  EXPECT_EQ(hex.substr(20, 4), "0a0b");
  EXPECT_EQ(hex.substr(508), "feff");
  std::vector<std::uint8_t> back(256);
  ASSERT_TRUE(FromLowerHex(hex, back));
  EXPECT_EQ(back, all);
}

TEST(HexTest, AppendKeepsWhatIsThere) {
  std::string out = "id=";
  const std::array<std::uint8_t, 2> bytes = {0xab, 0x01};
  AppendHex(out, bytes);
  EXPECT_EQ(out, "id=ab01");
}

TEST(HexTest, HexIntoWritesOnlyWhatItReturns) {
  const std::array<std::uint8_t, 3> bytes = {0xde, 0xad, 0x0f};
  std::array<char, 8> buf;
  buf.fill('#');
  EXPECT_EQ(HexInto(bytes, buf), "dead0f");
  EXPECT_EQ(buf[6], '#');
  EXPECT_EQ(HexInto({}, buf), "");
}

TEST(HexTest, DecodingRefusesUppercaseAndWrongLengths) {
  std::array<std::uint8_t, 2> out;
  EXPECT_TRUE(FromLowerHex("0aff", out));
  EXPECT_FALSE(FromLowerHex("0AFF", out));
  EXPECT_FALSE(FromLowerHex("0af", out));
  EXPECT_FALSE(FromLowerHex("0aff00", out));
  EXPECT_FALSE(FromLowerHex("0agf", out));
}

}  // namespace
}  // namespace core
