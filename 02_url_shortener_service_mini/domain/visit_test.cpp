#include "02_url_shortener_service_mini/domain/visit.hpp"

#include <gtest/gtest.h>

namespace shortener {
namespace {

TEST(VisitTest, AggregatesByCodeDayHostAndBot) {
  const std::int64_t day0 = std::int64_t{19000} * 86400;
  std::vector<Visit> visits = {
      {"abc", day0 + 5, "news.example", false},     {"abc", day0 + 90, "news.example", false},
      {"abc", day0 + 86400, "news.example", false}, {"abc", day0 + 7, "", true},
      {"xyz", day0 + 1, "news.example", false},
  };
  const auto rows = Aggregate(visits);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0], (VisitCount{"abc", 19000, "", true, 1}));
  EXPECT_EQ(rows[1], (VisitCount{"abc", 19000, "news.example", false, 2}));
  EXPECT_EQ(rows[2], (VisitCount{"abc", 19001, "news.example", false, 1}));
  EXPECT_EQ(rows[3], (VisitCount{"xyz", 19000, "news.example", false, 1}));
  EXPECT_TRUE(Aggregate({}).empty());
}

TEST(VisitTest, ReferrerHostIsTheLowercaseHostOrEmpty) {
  EXPECT_EQ(ReferrerHost("https://News.Example.com/story?id=1"), "news.example.com");
  EXPECT_EQ(ReferrerHost(""), "");
  EXPECT_EQ(ReferrerHost("garbage"), "");
  EXPECT_EQ(ReferrerHost("https://example.com/" + std::string(5000, 'a')), "");
}

TEST(VisitTest, BotsAreRecognisedByTheirUserAgent) {
  EXPECT_TRUE(IsBot("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"));
  EXPECT_TRUE(IsBot("facebookexternalhit/1.1"));
  EXPECT_TRUE(IsBot("Slackbot-LinkExpanding 1.0"));
  EXPECT_TRUE(IsBot("curl/7.88.1"));
  EXPECT_TRUE(IsBot(""));
  EXPECT_FALSE(IsBot("Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0"));
  EXPECT_FALSE(IsBot("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"));
}

TEST(VisitTest, DayTextIsTheUtcDate) {
  EXPECT_EQ(DayText(0), "1970-01-01");
  EXPECT_EQ(DayText(19000), "2022-01-08");
  EXPECT_EQ(DayText(11016), "2000-02-29");
  EXPECT_EQ(DayText(-1), "1969-12-31");
}

}  // namespace
}  // namespace shortener
