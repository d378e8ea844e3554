// The limiter's and the Redis store's Prometheus families, byte for byte: names, HELP texts, types,
// label names and order, and which counter feeds which series. Dashboards, alerts, the contract
// suites and promtool all read these names, so the exposition is pinned here as text.
#include "01_rate_limiter_service_mini/http/ratelimit_metrics.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <string>

#include "01_rate_limiter_service_mini/limiter/sharded_memory_store.hpp"
#include "05_observability_basics_mini/metrics/registry.hpp"
#include "core/async/testing/run_task.hpp"
#include "core/base/clock.hpp"
#include "core/redis/testing/redis_test_server.hpp"

namespace ratelimit {
namespace {

using namespace std::chrono_literals;

TEST(RateLimitMetricsTest, LimiterFamiliesAreExportedAsDeclared) {
  core::FakeClock clock;
  ShardedMemoryStore store({.max_keys = 2, .shards = 1, .hash_key = std::nullopt});
  auto limiter = Limiter::Create({ParseRuleFlag("name=default,rate=1/s,burst=2").value(),
                                  ParseRuleFlag("name=audit,rate=1/s,burst=1,shadow=true").value()},
                                 store, clock)
                     .value();
  const Rule& def = *limiter->FindRule("default");
  const Rule& audit = *limiter->FindRule("audit");
  obs::Registry registry;
  RegisterLimiterMetrics(registry, *limiter);

  for (int i = 0; i < 3; ++i) ASSERT_TRUE(limiter->Check(def, "a"));    // 2 allowed, 1 limited
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(limiter->Check(audit, "a"));  // 1 allowed, 1 shadow
  ASSERT_TRUE(limiter->Check(def, "b"));  // the table is full: default/a (oldest) is evicted
  (void)limiter->Finish(def, core::Error(core::Code::kUnavailable, "down"));  // fails open
  clock.Advance(1h);
  ASSERT_EQ(store.Sweep(clock.Now()), 2u);  // audit/a and default/b have recovered
  ASSERT_TRUE(limiter->Check(def, "c"));

  EXPECT_EQ(registry.ExposeText(),
            "# HELP ratelimit_decisions_total Rate-limit decisions by rule and outcome.\n"
            "# TYPE ratelimit_decisions_total counter\n"
            "ratelimit_decisions_total{rule=\"default\",outcome=\"allowed\"} 5\n"
            "ratelimit_decisions_total{rule=\"default\",outcome=\"limited\"} 1\n"
            "ratelimit_decisions_total{rule=\"default\",outcome=\"shadow_limited\"} 0\n"
            "ratelimit_decisions_total{rule=\"audit\",outcome=\"allowed\"} 1\n"
            "ratelimit_decisions_total{rule=\"audit\",outcome=\"limited\"} 0\n"
            "ratelimit_decisions_total{rule=\"audit\",outcome=\"shadow_limited\"} 1\n"
            "# HELP ratelimit_evictions_total Live keys evicted (least recently used) to stay "
            "under --max-keys.\n"
            "# TYPE ratelimit_evictions_total counter\n"
            "ratelimit_evictions_total 1\n"
            "# HELP ratelimit_expired_keys_total Fully recovered keys forgotten (they carried no "
            "information).\n"
            "# TYPE ratelimit_expired_keys_total counter\n"
            "ratelimit_expired_keys_total 2\n"
            "# HELP ratelimit_store_errors_total Decisions made by the rule's failure mode because "
            "the store did not answer.\n"
            "# TYPE ratelimit_store_errors_total counter\n"
            "ratelimit_store_errors_total{rule=\"default\"} 1\n"
            "ratelimit_store_errors_total{rule=\"audit\"} 0\n"
            "# HELP ratelimit_tracked_keys Keys with rate-limit state in the local store.\n"
            "# TYPE ratelimit_tracked_keys gauge\n"
            "ratelimit_tracked_keys 1\n");
}

TEST(RateLimitMetricsTest, OutcomeLabelsAreTheOutcomeNames) {
  // The label values are written in the stats list; they must stay what NameOf says.
  EXPECT_EQ(NameOf(Outcome::kAllowed), "allowed");
  EXPECT_EQ(NameOf(Outcome::kLimited), "limited");
  EXPECT_EQ(NameOf(Outcome::kShadowLimited), "shadow_limited");
}

TEST(RateLimitMetricsTest, RedisFamiliesAreExportedAsDeclared) {
  // A Redis nobody listens on: every decision fails as unavailable, without a round trip to wait
  // for (loopback refuses at once), so the counters are known exactly.
  core::RedisClientOptions options;
  options.port = core::testing::FreeLoopbackPort();
  ASSERT_NE(options.port, 0);
  core::RedisClient client(options);
  core::FakeClock clock;
  RedisStore store(client, clock);
  obs::Registry registry;
  RegisterRedisMetrics(registry, store, client);
  const Rule rule = DefaultRule();
  boost::asio::io_context ioc;
  for (int i = 0; i < 2; ++i) {
    auto decided = core::testing::RunTask(ioc, store.Decide(rule, "k", 1));
    ASSERT_FALSE(decided);
    ASSERT_EQ(decided.error().code, core::Code::kUnavailable);
  }
  client.Close();

  EXPECT_EQ(registry.ExposeText(),
            "# HELP ratelimit_redis_connects_total Connections established to Redis.\n"
            "# TYPE ratelimit_redis_connects_total counter\n"
            "ratelimit_redis_connects_total 0\n"
            "# HELP ratelimit_redis_decisions_total Decisions asked of the Redis store.\n"
            "# TYPE ratelimit_redis_decisions_total counter\n"
            "ratelimit_redis_decisions_total 2\n"
            "# HELP ratelimit_redis_deny_cache_hits_total Refusals answered from the local deny "
            "cache, without a round trip.\n"
            "# TYPE ratelimit_redis_deny_cache_hits_total counter\n"
            "ratelimit_redis_deny_cache_hits_total 0\n"
            "# HELP ratelimit_redis_disconnects_total Established Redis connections lost.\n"
            "# TYPE ratelimit_redis_disconnects_total counter\n"
            "ratelimit_redis_disconnects_total 0\n"
            "# HELP ratelimit_redis_errors_total Redis decisions that failed (the rule's failure "
            "mode decided).\n"
            "# TYPE ratelimit_redis_errors_total counter\n"
            "ratelimit_redis_errors_total{kind=\"timeout\"} 0\n"
            "ratelimit_redis_errors_total{kind=\"unavailable\"} 2\n"
            "ratelimit_redis_errors_total{kind=\"bad_reply\"} 0\n");
}

}  // namespace
}  // namespace ratelimit
