// AppendDecimal and DecimalText: every integer width at its extremes, appended after what is there.
#include "core/base/decimal.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace core {
namespace {

template <class T>
std::string Appended(T value) {
  std::string out = "x=";
  AppendDecimal(out, value);
  return out;
}

TEST(DecimalTest, AppendsAfterWhatIsThere) {
  EXPECT_EQ(Appended(0), "x=0");
  EXPECT_EQ(Appended(42), "x=42");
  EXPECT_EQ(Appended(-42), "x=-42");
}

TEST(DecimalTest, SignedExtremesFit) {
  EXPECT_EQ(Appended(std::numeric_limits<std::int64_t>::min()), "x=-9223372036854775808");
  EXPECT_EQ(Appended(std::numeric_limits<std::int64_t>::max()), "x=9223372036854775807");
  EXPECT_EQ(Appended(std::numeric_limits<std::int32_t>::min()), "x=-2147483648");
  EXPECT_EQ(Appended(std::numeric_limits<std::int8_t>::min()), "x=-128");
}

TEST(DecimalTest, UnsignedExtremesFit) {
  EXPECT_EQ(Appended(std::numeric_limits<std::uint64_t>::max()), "x=18446744073709551615");
  EXPECT_EQ(Appended(std::numeric_limits<std::uint32_t>::max()), "x=4294967295");
  EXPECT_EQ(Appended(std::numeric_limits<std::uint16_t>::max()), "x=65535");
  // uint8_t is a number here, not a character.
  EXPECT_EQ(Appended(std::uint8_t{255}), "x=255");
}

TEST(DecimalTest, TextViewsTheDigits) {
  EXPECT_EQ(DecimalText(404).view(), "404");
  EXPECT_EQ(DecimalText(std::numeric_limits<std::int64_t>::min()).view(), "-9223372036854775808");
  EXPECT_EQ(DecimalText(std::numeric_limits<std::uint64_t>::max()).view(), "18446744073709551615");
  EXPECT_EQ(DecimalText(std::uint8_t{7}).view(), "7");
}

}  // namespace
}  // namespace core
