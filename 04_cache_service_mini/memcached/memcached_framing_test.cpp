// How bytes arrive must not change what is answered: the same script fed whole, byte by byte and
// in assorted chunk sizes gives the same output. Also output backpressure and `stats`.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "04_cache_service_mini/memcached/memcached_session.hpp"
#include "04_cache_service_mini/memcached/memcached_test_util.hpp"

namespace cache {
namespace {

using testing::Conversation;
using testing::MemcachedHarness;

// A script touching every command and several error paths.
std::string Script() {
  std::string s;
  s += "set a 1 0 5\r\nhello\r\n";
  s += "set b 2 100 3 noreply\r\nxyz\r\n";
  s += "get a b c\r\n";
  s += "append a 0 0 3\r\n!!!\r\nprepend a 0 0 2\r\n<<\r\ngets a\r\n";
  s += "add a 0 0 1\r\nq\r\nreplace zz 0 0 1\r\nq\r\n";
  s += "cas a 0 0 1 1\r\nq\r\ncas nope 0 0 1 1\r\nq\r\n";
  s += "set n 0 0 2\r\n41\r\nincr n 1\r\ndecr n 50\r\nincr n x\r\nincr a 1\r\n";
  s += "touch a 10\r\ntouch zz 10\r\ngat 0 a b\r\ngats 0 b\r\n";
  s += "delete b\r\ndelete b\r\ndelete b 5\r\n";
  s += "set bad 0 0 3\r\nabcdef\r\n";
  s += "set " + std::string(300, 'k') + " 0 0 1\r\nx\r\n";
  s += "verbosity 1\r\nversion\r\nbogus\r\n\r\n";
  s += std::string("\x00\xff junk\r\n", 9);
  s += "flush_all\r\nget a n\r\n";
  s += "set big 0 0 200\r\n" + std::string(200, 'B') + "\r\nget big\r\n";
  s += "quit\r\nget a\r\n";
  return s;
}

Conversation RunScript(std::size_t chunk) {
  MemcachedHarness h;
  return h.Send(Script(), chunk);
}

TEST(MemcachedFramingTest, ByteAtATimeGivesTheSameAnswers) {
  const Conversation whole = RunScript(0);
  const Conversation bytewise = RunScript(1);
  EXPECT_EQ(bytewise.output, whole.output);
  EXPECT_TRUE(whole.closed);
  EXPECT_TRUE(bytewise.closed);
}

TEST(MemcachedFramingTest, EveryChunkSizeGivesTheSameAnswers) {
  const Conversation whole = RunScript(0);
  for (std::size_t chunk : {2, 3, 5, 7, 13, 64, 100, 1000}) {
    EXPECT_EQ(RunScript(chunk).output, whole.output) << "chunk " << chunk;
  }
}

TEST(MemcachedFramingTest, ScriptAnswersAreWhatMemcachedSends) {
  const std::string out = RunScript(0).output;
  // Spot checks; memcached_session_test.cpp covers each command exactly.
  EXPECT_NE(out.find("VALUE a 1 5\r\nhello\r\nVALUE b 2 3\r\nxyz\r\nEND\r\n"), std::string::npos);
  EXPECT_NE(out.find("CLIENT_ERROR cannot increment or decrement non-numeric value"),
            std::string::npos);
  EXPECT_NE(out.find("CLIENT_ERROR bad data chunk\r\nERROR\r\n"), std::string::npos);
  EXPECT_EQ(out.substr(out.size() - 5), "END\r\n") << "nothing after quit";
}

TEST(MemcachedFramingTest, BigMultiGetPausesAtTheHighWaterMark) {
  MemcachedOptions options;
  options.output_high_water_bytes = 4096;
  MemcachedHarness h({}, options);
  h.cache().Store(StoreMode::kSet, "v", std::string(1000, 'v'), 0, Expiry::Never());
  std::string line = "get";
  for (int i = 0; i < 50; ++i) line += " v";
  line += "\r\nversion\r\n";

  MemcachedSession session(h.service());
  std::string out;
  std::string_view in = line;
  in.remove_prefix(session.Feed(in, out));
  EXPECT_TRUE(session.Busy());
  EXPECT_LE(out.size(), 4096u + 1100u) << "at most one value past the mark";
  EXPECT_FALSE(in.empty()) << "version waits until the get is answered";
  std::string all = out;
  int rounds = 1;
  while (!in.empty() || session.Busy()) {
    out.clear();
    in.remove_prefix(session.Feed(in, out));
    EXPECT_LE(out.size(), 4096u + 1100u);
    all += out;
    ++rounds;
  }
  EXPECT_GT(rounds, 5);
  EXPECT_EQ(all.size(), 50 * (std::string("VALUE v 0 1000\r\n").size() + 1002) + 5 +
                            std::string("VERSION 1.6.18-test\r\n").size());
  EXPECT_EQ(all.substr(all.size() - 26), "END\r\nVERSION 1.6.18-test\r\n");
}

TEST(MemcachedFramingTest, FeedStopsConsumingInputWhileOutputIsFull) {
  MemcachedOptions options;
  options.output_high_water_bytes = 64;
  MemcachedHarness h({}, options);
  std::string many;
  for (int i = 0; i < 100; ++i) many += "version\r\n";
  MemcachedSession session(h.service());
  std::string out;
  const std::size_t consumed = session.Feed(many, out);
  EXPECT_LT(consumed, many.size());
  EXPECT_LE(out.size(), 64u + 32u);
}

TEST(MemcachedFramingTest, StatsReportsServerAndCacheCounters) {
  MemcachedOptions options;
  options.threads = 4;
  MemcachedHarness h({}, options);
  h.Reply("set a 0 0 1\r\nx\r\nget a\r\nget b\r\n");
  MemcachedSession other(h.service());  // a second open connection
  const std::string stats = h.Reply("stats\r\n");
  for (std::string line : {"STAT pid ",
                           "STAT uptime 0\r\n",
                           "STAT time 1700000000\r\n",
                           "STAT version 1.6.18-test\r\n",
                           "STAT curr_connections 2\r\n",
                           "STAT total_connections 3\r\n",
                           "STAT threads 4\r\n",
                           "STAT cmd_get 2\r\n",
                           "STAT cmd_set 1\r\n",
                           "STAT get_hits 1\r\n",
                           "STAT get_misses 1\r\n",
                           "STAT curr_items 1\r\n",
                           "STAT total_items 1\r\n",
                           "STAT evictions 0\r\n",
                           "STAT limit_maxbytes 67108864\r\n",
                           "STAT get_expired 0\r\n",
                           "STAT get_flushed 0\r\n",
                           "STAT expired_unfetched 0\r\n",
                           "STAT evicted_unfetched 0\r\n",
                           "STAT cas_badval 0\r\n",
                           "STAT touch_hits 0\r\n",
                           "STAT incr_misses 0\r\n",
                           "STAT decr_hits 0\r\n",
                           "STAT delete_misses 0\r\n",
                           "STAT crawler_reclaimed 0\r\n",
                           "STAT bytes_read ",
                           "STAT eviction_policy s3fifo\r\n",
                           "STAT s3fifo_promotions 0\r\n"}) {
    EXPECT_NE(stats.find(line), std::string::npos) << line;
  }
  EXPECT_EQ(stats.substr(stats.size() - 5), "END\r\n");
}

TEST(MemcachedFramingTest, ConnectionCountFollowsSessionLifetimes) {
  MemcachedHarness h;
  {
    MemcachedSession a(h.service());
    MemcachedSession b(h.service());
    EXPECT_EQ(h.service().curr_connections(), 2u);
  }
  EXPECT_EQ(h.service().curr_connections(), 0u);
  EXPECT_EQ(h.service().total_connections(), 2u);
}

}  // namespace
}  // namespace cache
