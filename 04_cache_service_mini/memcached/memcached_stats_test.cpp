// `stats` and its groups in memcached 1.6's shape (issue 10, item 14). The name lists below are
// memcached 1.6.18's, in its order, minus the fields that have no counterpart here (the README
// lists those); memcached_differential_test.py compares them with a running memcached.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "04_cache_service_mini/memcached/memcached_session.hpp"
#include "04_cache_service_mini/memcached/memcached_test_util.hpp"

namespace cache {
namespace {

using namespace std::chrono_literals;
using testing::Drive;
using testing::MemcachedHarness;

// "STAT name value" lines in order; stops at END.
std::vector<std::pair<std::string, std::string>> Parse(const std::string& reply) {
  std::vector<std::pair<std::string, std::string>> stats;
  static const std::regex kLine(R"(STAT (\S+) ([^\r]*)\r\n)");
  for (auto it = std::sregex_iterator(reply.begin(), reply.end(), kLine);
       it != std::sregex_iterator(); ++it) {
    stats.emplace_back((*it)[1], (*it)[2]);
  }
  return stats;
}

std::vector<std::string> Names(const std::string& reply) {
  std::vector<std::string> names;
  for (const auto& [name, value] : Parse(reply)) names.push_back(name);
  return names;
}

std::map<std::string, std::string> Map(const std::string& reply) {
  std::map<std::string, std::string> map;
  for (const auto& [name, value] : Parse(reply)) map[name] = value;
  return map;
}

MemcachedOptions Served() {
  MemcachedOptions options;
  options.threads = 2;
  options.max_connections = 123;
  options.host = "127.0.0.1";
  options.idle_timeout = 30s;
  return options;
}

class MemcachedStatsTest : public ::testing::Test {
 protected:
  MemcachedHarness h_{CacheOptions{}, Served()};
};

TEST_F(MemcachedStatsTest, GeneralStatsHaveMemcachedsNamesInMemcachedsOrderThenOurs) {
  const std::vector<std::string> memcached_order = {"pid",
                                                    "uptime",
                                                    "time",
                                                    "version",
                                                    "pointer_size",
                                                    "rusage_user",
                                                    "rusage_system",
                                                    "max_connections",
                                                    "curr_connections",
                                                    "total_connections",
                                                    "rejected_connections",
                                                    "connection_structures",
                                                    "cmd_get",
                                                    "cmd_set",
                                                    "cmd_flush",
                                                    "cmd_touch",
                                                    "cmd_meta",
                                                    "get_hits",
                                                    "get_misses",
                                                    "get_expired",
                                                    "get_flushed",
                                                    "delete_misses",
                                                    "delete_hits",
                                                    "incr_misses",
                                                    "incr_hits",
                                                    "decr_misses",
                                                    "decr_hits",
                                                    "cas_misses",
                                                    "cas_hits",
                                                    "cas_badval",
                                                    "touch_hits",
                                                    "touch_misses",
                                                    "store_too_large",
                                                    "store_no_memory",
                                                    "auth_cmds",
                                                    "auth_errors",
                                                    "bytes_read",
                                                    "bytes_written",
                                                    "limit_maxbytes",
                                                    "accepting_conns",
                                                    "listen_disabled_num",
                                                    "time_in_listen_disabled_us",
                                                    "threads",
                                                    "conn_yields",
                                                    "bytes",
                                                    "curr_items",
                                                    "total_items",
                                                    "expired_unfetched",
                                                    "evicted_unfetched",
                                                    "evictions",
                                                    "reclaimed",
                                                    "crawler_reclaimed",
                                                    "crawler_items_checked"};
  const std::string reply = h_.Reply("stats\r\n");
  const std::vector<std::string> names = Names(reply);
  ASSERT_GT(names.size(), memcached_order.size());
  const auto split = names.begin() + static_cast<std::ptrdiff_t>(memcached_order.size());
  EXPECT_EQ(std::vector<std::string>(names.begin(), split), memcached_order);
  const std::vector<std::string> ours(split, names.end());
  for (std::string extra : {"bytes_in_flight", "eviction_policy", "s3fifo_promotions"}) {
    EXPECT_NE(std::find(ours.begin(), ours.end(), extra), ours.end()) << extra;
  }
  for (const std::string& name : ours) {
    EXPECT_EQ(std::count(names.begin(), names.end(), name), 1) << name << " twice";
  }
  const auto stats = Map(reply);
  EXPECT_EQ(stats.at("max_connections"), "123");
  EXPECT_EQ(stats.at("threads"), "2");
  EXPECT_EQ(stats.at("accepting_conns"), "1");
  EXPECT_EQ(stats.at("listen_disabled_num"), "0");
  EXPECT_EQ(stats.at("time_in_listen_disabled_us"), "0");
  EXPECT_EQ(stats.at("cmd_meta"), "0");
  EXPECT_TRUE(std::regex_match(stats.at("rusage_user"), std::regex("\\d+\\.\\d{6}")));
  EXPECT_EQ(reply.substr(reply.size() - 5), "END\r\n");
}

TEST_F(MemcachedStatsTest, AnAcceptPauseIsReportedAsMemcachedReportsListenDisabled) {
  h_.service().SetAccepting(false);
  h_.clock().Advance(250ms);
  auto stats = Map(h_.Reply("stats\r\n"));
  EXPECT_EQ(stats.at("accepting_conns"), "0");
  EXPECT_EQ(stats.at("listen_disabled_num"), "1");
  EXPECT_EQ(stats.at("time_in_listen_disabled_us"), "250000");
  h_.service().SetAccepting(false);  // already paused: not a second pause
  h_.service().SetAccepting(true);
  h_.clock().Advance(1s);
  stats = Map(h_.Reply("stats\r\n"));
  EXPECT_EQ(stats.at("accepting_conns"), "1");
  EXPECT_EQ(stats.at("listen_disabled_num"), "1");
  EXPECT_EQ(stats.at("time_in_listen_disabled_us"), "250000");
}

TEST_F(MemcachedStatsTest, RejectedConnectionsAreCounted) {
  h_.service().CountRejectedConnection();
  h_.service().CountRejectedConnection();
  EXPECT_EQ(Map(h_.Reply("stats\r\n")).at("rejected_connections"), "2");
}

TEST_F(MemcachedStatsTest, ResetZeroesCountersNotGaugesAndLeavesTheCachesOwnCountersAlone) {
  h_.Reply("set a 0 0 1\r\nx\r\nget a\r\nget b\r\ndelete zz\r\n");
  const std::string reply = h_.Reply("stats reset\r\nstats\r\n");
  EXPECT_EQ(reply.substr(0, 7), "RESET\r\n");
  auto stats = Map(reply);
  for (const char* counter : {"cmd_get", "cmd_set", "get_hits", "get_misses", "delete_misses",
                              "total_items", "total_connections"}) {
    EXPECT_EQ(stats.at(counter), "0") << counter;
  }
  EXPECT_EQ(stats.at("curr_items"), "1");
  EXPECT_NE(stats.at("bytes"), "0");
  EXPECT_EQ(stats.at("bytes_read"), "0");  // a Feed's bytes are counted after it answers
  // /metrics and /v1/stats read the cache's counters, which must never go backwards.
  EXPECT_EQ(h_.cache().Stats().get_hits, 1u);
  h_.Reply("get a\r\n");
  stats = Map(h_.Reply("stats reset please\r\nstats\r\n"));  // extra words are ignored
  EXPECT_EQ(stats.at("get_hits"), "0");
  h_.Reply("get a\r\n");
  EXPECT_EQ(Map(h_.Reply("stats\r\n")).at("get_hits"), "1");
}

TEST_F(MemcachedStatsTest, SettingsHaveMemcachedsNamesInMemcachedsOrderThenOurs) {
  h_.service().SetListeningPort(11311);
  h_.Reply("verbosity 1\r\n");
  const std::string reply = h_.Reply("stats settings\r\n");
  EXPECT_EQ(Names(reply), (std::vector<std::string>{"maxbytes",
                                                    "maxconns",
                                                    "tcpport",
                                                    "udpport",
                                                    "inter",
                                                    "verbosity",
                                                    "evictions",
                                                    "domain_socket",
                                                    "shutdown_command",
                                                    "num_threads",
                                                    "detail_enabled",
                                                    "cas_enabled",
                                                    "binding_protocol",
                                                    "auth_enabled_sasl",
                                                    "auth_enabled_ascii",
                                                    "item_size_max",
                                                    "maxconns_fast",
                                                    "flush_enabled",
                                                    "dump_enabled",
                                                    "lru_maintainer_thread",
                                                    "lru_segmented",
                                                    "temp_lru",
                                                    "idle_timeout",
                                                    "track_sizes",
                                                    "ssl_enabled",
                                                    "eviction_policy",
                                                    "num_shards",
                                                    "max_line_bytes",
                                                    "max_get_line_bytes"}));
  const auto settings = Map(reply);
  EXPECT_EQ(settings.at("maxbytes"), "67108864");
  EXPECT_EQ(settings.at("maxconns"), "123");
  EXPECT_EQ(settings.at("tcpport"), "11311");
  EXPECT_EQ(settings.at("inter"), "127.0.0.1");
  EXPECT_EQ(settings.at("verbosity"), "1");
  EXPECT_EQ(settings.at("item_size_max"), "1048576");
  EXPECT_EQ(settings.at("idle_timeout"), "30");
  EXPECT_EQ(settings.at("eviction_policy"), "s3fifo");
  EXPECT_EQ(settings.at("max_get_line_bytes"), "1048576");
  EXPECT_EQ(reply.substr(reply.size() - 5), "END\r\n");
}

TEST(MemcachedStatsShardsTest, SlabsAndItemsDescribeEachShardThatHoldsItems) {
  CacheOptions options;
  options.shards = 4;
  MemcachedHarness h(options);
  EXPECT_EQ(h.Reply("stats slabs\r\n"), "STAT active_slabs 0\r\nSTAT total_malloced 0\r\nEND\r\n");
  EXPECT_EQ(h.Reply("stats items\r\n"), "END\r\n");  // memcached's answers when empty
  for (int i = 0; i < 40; ++i) h.Reply("set k" + std::to_string(i) + " 0 0 2\r\nvv\r\n");
  h.Reply("get k1 k2 k3\r\n");
  const std::vector<CacheStats> shards = h.cache().StatsByShard();

  const auto slabs = Parse(h.Reply("stats slabs\r\n"));
  std::uint64_t used = 0;
  std::uint64_t hits = 0;
  std::uint64_t sets = 0;
  std::size_t classes = 0;
  for (const auto& [name, value] : slabs) {
    if (name.ends_with(":used_chunks")) {
      ++classes;
      used += std::stoull(value);
    }
    if (name.ends_with(":get_hits")) hits += std::stoull(value);
    if (name.ends_with(":cmd_set")) sets += std::stoull(value);
  }
  EXPECT_EQ(used, 40u);
  EXPECT_EQ(hits, 3u);
  EXPECT_EQ(sets, 40u);
  EXPECT_EQ(classes, 4u);
  EXPECT_EQ(slabs[slabs.size() - 2], std::make_pair(std::string("active_slabs"), std::string("4")));
  EXPECT_EQ(slabs.back().first, "total_malloced");
  EXPECT_EQ(std::stoull(slabs.back().second), h.cache().Stats().bytes);
  // One class's fields, in memcached's order (its slab-page fields have no counterpart).
  std::vector<std::string> first_class;
  for (const auto& [name, value] : slabs) {
    if (name.starts_with("1:")) first_class.push_back(name.substr(2));
  }
  EXPECT_EQ(first_class, (std::vector<std::string>{"used_chunks", "get_hits", "cmd_set",
                                                   "delete_hits", "incr_hits", "decr_hits",
                                                   "cas_hits", "cas_badval", "touch_hits"}));
  EXPECT_EQ(Map(h.Reply("stats slabs\r\n")).at("1:used_chunks"),
            std::to_string(shards[0].curr_items));

  const auto items = Map(h.Reply("stats items\r\n"));
  std::uint64_t number = 0;
  std::uint64_t bytes = 0;
  for (std::size_t i = 1; i <= 4; ++i) {
    number += std::stoull(items.at("items:" + std::to_string(i) + ":number"));
    bytes += std::stoull(items.at("items:" + std::to_string(i) + ":mem_requested"));
  }
  EXPECT_EQ(number, 40u);
  EXPECT_EQ(bytes, h.cache().Stats().bytes);
  std::vector<std::string> item_fields;
  for (const std::string& name : Names(h.Reply("stats items\r\n"))) {
    if (name.starts_with("items:1:")) item_fields.push_back(name.substr(8));
  }
  EXPECT_EQ(item_fields, (std::vector<std::string>{
                             "number", "mem_requested", "evicted", "reclaimed", "expired_unfetched",
                             "evicted_unfetched", "crawler_reclaimed", "crawler_items_checked"}));
}

TEST_F(MemcachedStatsTest, SizesGiveMemcachedsAnswerForNoSizeHistogram) {
  EXPECT_EQ(h_.Reply("stats sizes\r\n"), "STAT sizes_status disabled\r\nEND\r\n");
}

TEST_F(MemcachedStatsTest, ConnsListsTheListenerAndEveryOpenConnection) {
  h_.service().SetListeningPort(11311);
  MemcachedSession idle(h_.service());
  idle.SetPeer("tcp:127.0.0.1:40001");
  Drive(idle, "version\r\n");
  auto mid_value = std::make_unique<MemcachedSession>(h_.service());
  Drive(*mid_value, "set k 0 0 10\r\nabc");
  MemcachedSession mid_line(h_.service());
  Drive(mid_line, "get some");
  h_.clock().Advance(5s);
  MemcachedSession asking(h_.service());
  const std::string reply = Drive(asking, "stats conns\r\n").output;
  EXPECT_EQ(reply,
            "STAT 0:addr tcp:127.0.0.1:11311\r\n"
            "STAT 0:state conn_listening\r\n"
            "STAT 0:secs_since_last_cmd 5\r\n"
            "STAT 1:addr tcp:127.0.0.1:40001\r\n"
            "STAT 1:listen_addr tcp:127.0.0.1:11311\r\n"
            "STAT 1:state conn_waiting\r\n"
            "STAT 1:secs_since_last_cmd 5\r\n"
            "STAT 2:listen_addr tcp:127.0.0.1:11311\r\n"
            "STAT 2:state conn_nread\r\n"
            "STAT 2:secs_since_last_cmd 5\r\n"
            "STAT 3:listen_addr tcp:127.0.0.1:11311\r\n"
            "STAT 3:state conn_read\r\n"
            "STAT 3:secs_since_last_cmd 5\r\n"
            "STAT 4:listen_addr tcp:127.0.0.1:11311\r\n"
            "STAT 4:state conn_parse_cmd\r\n"
            "STAT 4:secs_since_last_cmd 0\r\n"
            "END\r\n");
  mid_value.reset();  // closed: no longer listed
  EXPECT_EQ(Drive(asking, "stats conns\r\n").output.find("STAT 2:"), std::string::npos);
}

TEST_F(MemcachedStatsTest, StatsOnOneConnectionWhileOthersOpenWorkAndClose) {
  // For TSan: the connection list, the published states and the reset baseline are shared by
  // every connection's thread.
  std::vector<std::thread> threads;
  threads.reserve(3);
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < 200; ++i) {
        MemcachedSession session(h_.service());
        // std::string(...) + ...: "literal" + std::to_string trips g++ 12's -Wrestrict (GCC
        // 105329).
        session.SetPeer(std::string("tcp:127.0.0.1:") + std::to_string(40000 + t));
        const std::string key = std::string("k") + std::to_string(t * 1000 + i);
        Drive(session, "set " + key + " 0 0 2\r\nvv\r\nget " + key + "\r\nset half 0 0 9\r\nab");
      }
    });
  }
  std::size_t answers = 0;
  for (int i = 0; i < 100; ++i) {
    const std::string reply =
        h_.Reply(i % 10 == 0 ? "stats reset\r\n" : "stats conns\r\nstats\r\n");
    answers += reply.ends_with("END\r\n") || reply == "RESET\r\n";
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(answers, 100u);
  EXPECT_EQ(h_.service().curr_connections(), 0u);
  EXPECT_EQ(h_.cache().Stats().bytes_in_flight, 0u);
  MemcachedSession last(h_.service());  // connection number 3 x 200 + 100 + 1: alone in the list
  EXPECT_EQ(Drive(last, "stats conns\r\n").output,
            "STAT 701:state conn_parse_cmd\r\nSTAT 701:secs_since_last_cmd 0\r\nEND\r\n");
}

TEST_F(MemcachedStatsTest, OtherGroupsAreErrorsAsInMemcachedWithoutThem) {
  EXPECT_EQ(h_.Reply("stats bogus\r\nstats detail on\r\nstats cachedump 1 1\r\n"),
            "ERROR\r\nERROR\r\nERROR\r\n");
}

}  // namespace
}  // namespace cache
