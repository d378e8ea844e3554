#include "core/base/utf8.hpp"

#include <gtest/gtest.h>

namespace core {
namespace {

TEST(Utf8Test, KeepsValidText) {
  for (std::string_view s :
       {"", "/hello", "caf\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBF"}) {
    EXPECT_TRUE(IsValidUtf8(s)) << s;
    EXPECT_EQ(ToValidUtf8(s), s);
  }
}

TEST(Utf8Test, ReplacesWhatIsNotUtf8) {
  EXPECT_EQ(ToValidUtf8("/hello\xFF\xFE"), "/hello\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(ToValidUtf8("\xC0\xAF"), "\xEF\xBF\xBD");          // overlong '/'
  EXPECT_EQ(ToValidUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD");      // a surrogate
  EXPECT_EQ(ToValidUtf8("\xF4\x90\x80\x80"), "\xEF\xBF\xBD");  // past U+10FFFF
  EXPECT_EQ(ToValidUtf8("a\xE2\x82"), "a\xEF\xBF\xBD");        // truncated at the end
  EXPECT_EQ(ToValidUtf8("\x80x"), "\xEF\xBF\xBDx");            // a stray continuation byte
  for (std::string_view s : {"\xFF", "\xC3", "\xE0\x80\x80", "\xF8\x88\x80\x80\x80"}) {
    EXPECT_FALSE(IsValidUtf8(s));
    EXPECT_TRUE(IsValidUtf8(ToValidUtf8(s)));
  }
}

TEST(Utf8Test, EveryByteStringBecomesValid) {
  // All two-byte strings: the output is always valid, and valid input is kept.
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      const char bytes[2] = {static_cast<char>(a), static_cast<char>(b)};
      const std::string_view s(bytes, 2);
      const std::string out = ToValidUtf8(s);
      ASSERT_TRUE(IsValidUtf8(out));
      if (IsValidUtf8(s)) {
        ASSERT_EQ(out, s);
      }
    }
  }
}

}  // namespace
}  // namespace core
