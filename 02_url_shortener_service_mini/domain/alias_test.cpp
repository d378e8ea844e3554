#include "02_url_shortener_service_mini/domain/alias.hpp"

#include <gtest/gtest.h>

namespace shortener {
namespace {

TEST(AliasTest, AcceptsLettersDigitsUnderscoreAndDash) {
  EXPECT_TRUE(ValidateAlias("abc"));
  EXPECT_TRUE(ValidateAlias("Launch_2024-final"));
  EXPECT_TRUE(ValidateAlias(std::string(64, 'x')));
}

TEST(AliasTest, RejectsWrongLength) {
  auto short_one = ValidateAlias("ab");
  ASSERT_FALSE(short_one);
  EXPECT_EQ(short_one.error().code, core::Code::kInvalidArgument);
  EXPECT_NE(short_one.error().detail.find("3 to 64"), std::string::npos);
  EXPECT_FALSE(ValidateAlias(std::string(65, 'x')));
  EXPECT_FALSE(ValidateAlias(""));
}

TEST(AliasTest, RejectsOtherCharactersNamingThePosition) {
  for (const char* bad : {"has space", "slash/x", "dot.x", "q?x", "pct%41", "uni\xc3\xa9x"}) {
    auto r = ValidateAlias(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().detail.find("character"), std::string::npos) << r.error().detail;
  }
}

TEST(AliasTest, RejectsReservedWordsInAnyCase) {
  for (const char* word : {"admin", "ADMIN", "Login", "healthz", "metrics", "api", "shorten"}) {
    auto r = ValidateAlias(word);
    ASSERT_FALSE(r) << word;
    EXPECT_NE(r.error().detail.find("reserved"), std::string::npos);
  }
  EXPECT_TRUE(IsReservedAlias("r"));
  EXPECT_FALSE(IsReservedAlias("administrator"));
}

}  // namespace
}  // namespace shortener
