#include "05_observability_basics_mini/tracing/request_id.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

namespace obs {
namespace {

TEST(RequestIdTest, AcceptsCommonIdFormats) {
  EXPECT_TRUE(IsValidRequestId("3f2c1e0a-9b8d-4c7e-8f6a-5b4c3d2e1f00"));  // UUID
  EXPECT_TRUE(IsValidRequestId("01ARZ3NDEKTSV4RRFFQ69G5FAV"));            // ULID
  EXPECT_TRUE(IsValidRequestId("req_42.a:b"));
  EXPECT_TRUE(IsValidRequestId("x"));
}

TEST(RequestIdTest, RejectsEmptyAndOverlongIds) {
  EXPECT_FALSE(IsValidRequestId(""));
  EXPECT_TRUE(IsValidRequestId(std::string(kMaxRequestIdLength, 'a')));
  EXPECT_FALSE(IsValidRequestId(std::string(kMaxRequestIdLength + 1, 'a')));
}

TEST(RequestIdTest, RejectsCharactersThatCouldBreakAHeaderOrALogLine) {
  const std::vector<std::string> bad_ids = {
      "a b",         "a\r\nSet-Cookie: x",   "a\"b", "a\\b", "a,b", "a;b", "a=b", "a/b",
      "caf\xc3\xa9", std::string("a\0b", 3), "a\tb", "a{b}"};
  for (const std::string& bad : bad_ids) {
    EXPECT_FALSE(IsValidRequestId(bad)) << bad;
  }
}

TEST(RequestIdTest, NewIdsAreValid32CharLowercaseHex) {
  const std::string id = NewRequestId();
  EXPECT_EQ(id.size(), kRequestIdLength);
  EXPECT_TRUE(IsValidRequestId(id));
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(RequestIdTest, NewIdsDoNotRepeatAcrossThreads) {
  constexpr int kThreads = 4, kPerThread = 2000;
  std::vector<std::vector<std::string>> ids(kThreads);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&ids, t] {
      for (int i = 0; i < kPerThread; ++i) ids[t].push_back(NewRequestId());
    });
  }
  for (auto& th : threads) th.join();
  std::set<std::string> unique;
  for (const auto& v : ids) unique.insert(v.begin(), v.end());
  EXPECT_EQ(unique.size(), static_cast<std::size_t>(kThreads * kPerThread));
}

TEST(RequestIdTest, AcceptsAValidIncomingIdAsIs) {
  EXPECT_EQ(AcceptOrNewRequestId("client-id-1"), "client-id-1");
}

TEST(RequestIdTest, ReplacesAnAbsentOrInvalidIncomingId) {
  const std::string fresh = AcceptOrNewRequestId("");
  EXPECT_EQ(fresh.size(), kRequestIdLength);
  const std::string replaced = AcceptOrNewRequestId("evil\r\nid");
  EXPECT_EQ(replaced.size(), kRequestIdLength);
  EXPECT_TRUE(IsValidRequestId(replaced));
}

}  // namespace
}  // namespace obs
