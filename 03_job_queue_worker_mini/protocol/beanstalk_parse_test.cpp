#include "03_job_queue_worker_mini/protocol/beanstalk_parse.hpp"

#include <gtest/gtest.h>

namespace beanstalk {
namespace {

TEST(BeanstalkParseTest, MatchesLongerPrefixesFirst) {
  std::size_t n = 0;
  EXPECT_EQ(MatchCommand("reserve-with-timeout 5", &n), Op::kReserveTimeout);
  EXPECT_EQ(n, 21u);
  EXPECT_EQ(MatchCommand("reserve", &n), Op::kReserve);
  EXPECT_EQ(MatchCommand("reserve-job 3", &n), Op::kReserveJob);
  EXPECT_EQ(MatchCommand("stats-tube x", &n), Op::kStatsTube);
  EXPECT_EQ(MatchCommand("stats", &n), Op::kStats);
  EXPECT_EQ(MatchCommand("list-tubes-watched", &n), Op::kListTubesWatched);
  EXPECT_EQ(MatchCommand("list-tubes", &n), Op::kListTubes);
  EXPECT_EQ(MatchCommand("list-tube-used", &n), Op::kListTubeUsed);
  EXPECT_EQ(MatchCommand("peek", &n), Op::kUnknown);
  EXPECT_EQ(MatchCommand("quitters", &n), Op::kQuit);
  EXPECT_EQ(StatName(Op::kPut), "cmd-put");
  EXPECT_EQ(StatName(Op::kQuit), "");
}

TEST(BeanstalkParseTest, ReadsNumbersTheWayBeanstalkdDoes) {
  EXPECT_EQ(ReadU64("  42"), 42u);
  EXPECT_EQ(ReadU64("007"), 7u);
  EXPECT_FALSE(ReadU64(""));
  EXPECT_FALSE(ReadU64("-1"));
  EXPECT_FALSE(ReadU64("+1"));
  EXPECT_FALSE(ReadU64("1 "));
  EXPECT_FALSE(ReadU64("18446744073709551616"));
  EXPECT_EQ(ReadU64("18446744073709551615"), 18446744073709551615u);
  std::string_view rest;
  EXPECT_EQ(ReadU32("5 6", &rest), 5u);
  EXPECT_EQ(rest, " 6");
  EXPECT_EQ(ReadU32("4294967295"), 4294967295u);
  EXPECT_FALSE(ReadU32("4294967296"));
}

TEST(BeanstalkParseTest, LenientReadersFollowStrtol) {
  EXPECT_EQ(ReadLongLenient("x"), 0);
  EXPECT_EQ(ReadLongLenient(" -3y"), -3);
  EXPECT_EQ(ReadLongLenient("12abc"), 12);
  EXPECT_FALSE(ReadLongLenient("99999999999999999999"));
  EXPECT_EQ(ReadUnsignedLenient("5x"), 5u);
  EXPECT_EQ(ReadUnsignedLenient("-1"), 18446744073709551615u);
  EXPECT_FALSE(ReadUnsignedLenient("x"));
  EXPECT_FALSE(ReadUnsignedLenient(""));
}

TEST(BeanstalkParseTest, TubeNameRunsUntilANonNameCharacter) {
  std::string_view rest;
  EXPECT_EQ(ReadTubeName("  my-tube 5", &rest), "my-tube");
  EXPECT_EQ(rest, " 5");
  EXPECT_FALSE(ReadTubeName(" *", &rest));
}

}  // namespace
}  // namespace beanstalk
