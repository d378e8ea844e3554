#include "02_url_shortener_service_mini/domain/codes.hpp"

#include <gtest/gtest.h>

#include <array>
#include <set>

namespace shortener {
namespace {

TEST(Base62Test, EncodesWithPadding) {
  EXPECT_EQ(Base62(0), "0");
  EXPECT_EQ(Base62(61), "z");
  EXPECT_EQ(Base62(62), "10");
  EXPECT_EQ(Base62(62 * 62 - 1), "zz");
  EXPECT_EQ(Base62(5, 4), "0005");
  EXPECT_EQ(Base62(UINT64_MAX), "LygHa16AHYF");
}

TEST(Base62Test, RecognisesAlphabet) {
  EXPECT_TRUE(IsBase62("abcXYZ019"));
  EXPECT_FALSE(IsBase62(""));
  EXPECT_FALSE(IsBase62("ab-c"));
  EXPECT_FALSE(IsBase62("ab c"));
}

TEST(Base62Test, PossibleCodesAreAliasShaped) {
  EXPECT_TRUE(IsPossibleCode("1"));
  EXPECT_TRUE(IsPossibleCode("launch_2024-x"));
  EXPECT_TRUE(IsPossibleCode(std::string(64, 'a')));
  EXPECT_FALSE(IsPossibleCode(""));
  EXPECT_FALSE(IsPossibleCode(std::string(65, 'a')));
  EXPECT_FALSE(IsPossibleCode("a b"));
  EXPECT_FALSE(IsPossibleCode("a.b"));
  EXPECT_FALSE(IsPossibleCode("%41"));
}

TEST(RandomBase62Test, HasTheRequestedLengthAndAlphabet) {
  for (std::size_t len : {1u, 5u, 7u, 16u, 100u}) {
    const std::string code = RandomBase62(len);
    EXPECT_EQ(code.size(), len);
    EXPECT_TRUE(IsBase62(code)) << code;
  }
}

TEST(RandomBase62Test, IsUniformEnoughOverManyDraws) {
  // 62 * 2000 characters: each symbol expected 2000 times; a biased modulo (256 % 62 != 0) would
  // give the first 8 symbols ~3 % more. Chi-square with 61 degrees of freedom stays far below 120
  // for a uniform source (p < 1e-5 to exceed).
  std::array<int, 128> counts{};
  const std::string s = RandomBase62(std::size_t{62} * 2000);
  for (char c : s) ++counts[static_cast<unsigned char>(c)];
  double chi2 = 0;
  for (char c : kBase62Alphabet) {
    const double d = counts[static_cast<unsigned char>(c)] - 2000.0;
    chi2 += d * d / 2000.0;
  }
  EXPECT_LT(chi2, 120.0);
}

TEST(RandomBase62Test, DoesNotRepeatAtLengthSeven) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) seen.insert(RandomBase62(7));
  EXPECT_EQ(seen.size(), 10000u);  // P(any collision) ~ 1.4e-5
}

TEST(BlockCounterTest, HandsOutABlockThenAsksForAnother) {
  BlockCounter counter;
  EXPECT_FALSE(counter.Take());
  counter.Refill(100, 3);
  EXPECT_EQ(counter.Take(), 100u);
  EXPECT_EQ(counter.Take(), 101u);
  EXPECT_EQ(counter.remaining(), 1u);
  EXPECT_EQ(counter.Take(), 102u);
  EXPECT_FALSE(counter.Take());
}

}  // namespace
}  // namespace shortener
