#include "01_rate_limiter_service_mini/http/ratelimit_metrics.hpp"

namespace ratelimit {
namespace {

// What this layer exports of the Redis client's own counters (core/redis cannot depend on 05, so
// the list lives here, naming RedisClientStats's members).
#define RATELIMIT_REDIS_CLIENT_STATS(COUNTER, GAUGE)                                           \
  COUNTER(connects, "ratelimit_redis_connects_total", "", "Connections established to Redis.") \
  COUNTER(disconnects, "ratelimit_redis_disconnects_total", "",                                \
          "Established Redis connections lost.")
SD_STATS_FOR_EACH(core::RedisClientStats, RATELIMIT_REDIS_CLIENT_STATS)

}  // namespace

void RegisterLimiterMetrics(obs::Registry& registry, const Limiter& limiter) {
  registry.AddStats([&limiter](obs::StatFamilies& families) {
    for (const Rule& rule : limiter.rules()) {
      ForEachStat(limiter.Stats(rule), families.Adder({{"rule", rule.name}}));
    }
    ForEachStat(limiter.store_stats(), families.Adder());
  });
}

void RegisterRedisMetrics(obs::Registry& registry, const RedisStore& store,
                          const core::RedisClient& client) {
  registry.AddStats([&store, &client](obs::StatFamilies& families) {
    ForEachStat(store.Stats(), families.Adder());
    ForEachStat(client.Stats(), families.Adder());
  });
}

}  // namespace ratelimit
