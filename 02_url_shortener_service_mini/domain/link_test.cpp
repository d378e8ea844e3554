#include "02_url_shortener_service_mini/domain/link.hpp"

#include <gtest/gtest.h>

namespace shortener {
namespace {

TEST(LinkTest, StateFollowsDeadlineVisitCapAndTombstone) {
  Link link;
  link.code = "abc";
  link.url = "https://example.com";
  link.created_at = 1000;
  EXPECT_EQ(StateAt(link, 5000), LinkState::kActive);
  link.expires_at = 2000;
  EXPECT_EQ(StateAt(link, 1999), LinkState::kActive);
  EXPECT_EQ(StateAt(link, 2000), LinkState::kExpired);
  link.expires_at.reset();
  link.max_visits = 2;
  link.cap_used = 1;
  link.visits = 5;  // the batched count does not decide: it lags
  EXPECT_EQ(StateAt(link, 5000), LinkState::kActive);
  link.cap_used = 2;
  EXPECT_EQ(StateAt(link, 5000), LinkState::kExhausted);
  link.deleted_at = 3000;
  EXPECT_EQ(StateAt(link, 5000), LinkState::kDeleted);
  EXPECT_EQ(NameOf(LinkState::kExhausted), "exhausted");
}

TEST(LinkTest, KnowsTheRedirectStatuses) {
  for (int s : {301, 302, 307, 308}) EXPECT_TRUE(IsRedirectStatus(s));
  for (int s : {0, 200, 300, 303, 304, 404}) EXPECT_FALSE(IsRedirectStatus(s));
}

}  // namespace
}  // namespace shortener
