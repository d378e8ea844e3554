// The storage seam: where per-key limiter state lives. The local ShardedMemoryStore keeps it in
// process; the Redis store (../redis/redis_store.hpp, an AsyncDecisionStore) keeps it shared
// between replicas.
//
// The interface is synchronous on purpose: the local store never blocks. The Redis store is
// asynchronous and implements AsyncDecisionStore (async_decision_store.hpp) instead; the Decider
// (../service/) calls it and hands its Decision to Limiter::Finish. Either way the algorithm math
// is algorithm.hpp's.
#pragma once

#include <cstdint>
#include <string_view>

#include "01_rate_limiter_service_mini/algorithms/decision.hpp"
#include "01_rate_limiter_service_mini/limiter/rule.hpp"
#include "05_observability_basics_mini/metrics/stats.hpp"
#include "core/base/clock.hpp"
#include "core/base/error.hpp"

namespace ratelimit {

// Counters a store may expose; a store that cannot count something reports 0. Declared once
// (05's stats.hpp): the StoreStats struct and the Prometheus families (http/ratelimit_metrics)
// both come from this list.
#define RATELIMIT_STORE_STATS(COUNTER, GAUGE)                                  \
  GAUGE(tracked_keys, "ratelimit_tracked_keys", "",                            \
        "Keys with rate-limit state in the local store.")                      \
  COUNTER(evictions, "ratelimit_evictions_total", "",                          \
          "Live keys evicted (least recently used) to stay under --max-keys.") \
  COUNTER(expired, "ratelimit_expired_keys_total", "",                         \
          "Fully recovered keys forgotten (they carried no information).")
SD_STATS_SNAPSHOT(StoreStats, RATELIMIT_STORE_STATS)

class DecisionStore {
 public:
  virtual ~DecisionStore() = default;

  // Decides a request of `cost` units (>= 0) for `key` under `rule` at `now`, and records it:
  // the key's state changes only when the decision is allowed and cost > 0 (a refused request or
  // a cost-0 peek leaves no trace). Keys of different rules never share state.
  // Errors: kUnavailable / kTimeout when a remote store cannot answer (never for a local store);
  // the caller applies the rule's failure mode (Limiter::Finish). Thread-safe.
  virtual core::Result<Decision> Decide(const Rule& rule, std::string_view key, std::int64_t cost,
                                        core::Clock::time_point now) = 0;

  virtual StoreStats Stats() const { return {}; }
};

}  // namespace ratelimit
