// The limiter's counters as Prometheus families, read at scrape time from the Limiter's own
// atomics (no second set of counters to keep in step). Each family is derived from the stats list
// that declares its counter (RATELIMIT_RULE_STATS and RATELIMIT_STORE_STATS in limiter/,
// RATELIMIT_REDIS_STORE_STATS in redis/; 05's stats.hpp), so a counter and its metric cannot drift:
//   ratelimit_decisions_total{rule,outcome}   outcome: allowed | limited | shadow_limited
//   ratelimit_store_errors_total{rule}        decisions the failure mode made (store down)
//   ratelimit_tracked_keys                    keys held in the local store
//   ratelimit_evictions_total                 live keys dropped to stay under --max-keys
//   ratelimit_expired_keys_total              fully recovered keys forgotten
// and, with Redis:
//   ratelimit_redis_decisions_total, ratelimit_redis_deny_cache_hits_total,
//   ratelimit_redis_errors_total{kind}        kind: timeout | unavailable | bad_reply
//   ratelimit_redis_connects_total, ratelimit_redis_disconnects_total
#pragma once

#include "01_rate_limiter_service_mini/limiter/limiter.hpp"
#include "01_rate_limiter_service_mini/redis/redis_store.hpp"
#include "05_observability_basics_mini/metrics/registry.hpp"

namespace ratelimit {

// Adds the families above to `registry`; `limiter` must outlive the registry's scrapes.
void RegisterLimiterMetrics(obs::Registry& registry, const Limiter& limiter);

// Adds the Redis families above; `store` and `client` must outlive the registry's scrapes.
void RegisterRedisMetrics(obs::Registry& registry, const RedisStore& store,
                          const core::RedisClient& client);

}  // namespace ratelimit
