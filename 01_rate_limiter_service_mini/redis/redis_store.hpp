// The shared store: rate-limit state in Redis, so every replica of the service enforces one limit
// per key instead of one each.
//
// Design: one round trip per decision — an EVALSHA of redis_scripts.hpp's script, which decides
// atomically on Redis's clock — with a short deadline. A key Redis has refused is remembered
// locally until its retry time (DenyCache): a client hammering past its limit is answered without
// a round trip, and the answer is what Redis would say, because other replicas can only consume
// more, not less (unless Redis loses its data meanwhile). Errors are values (kUnavailable,
// kTimeout); what a failure means — allow or refuse — is the rule's failure mode, applied by
// Limiter::Finish, not decided here.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "01_rate_limiter_service_mini/algorithms/decision.hpp"
#include "01_rate_limiter_service_mini/limiter/async_decision_store.hpp"
#include "01_rate_limiter_service_mini/limiter/rule.hpp"
#include "05_observability_basics_mini/metrics/stats.hpp"
#include "core/async/task.hpp"
#include "core/base/clock.hpp"
#include "core/base/error.hpp"
#include "core/base/mutex.hpp"
#include "core/base/sharded_lru_map.hpp"
#include "core/redis/redis_client.hpp"

namespace ratelimit {

// Keys known to be over their limit, until when. Bounded: a core::ShardedLruMap (capacity split
// over shards, each an LRU behind its own mutex, picked by a keyed SipHash of the key so attackers
// cannot aim at one). Thread-safe.
class DenyCache {
 public:
  struct Entry {
    std::int64_t cost = 0;             // the refused cost: only requests costing >= it are known
    core::Clock::time_point until;     // refused before this instant
    core::Clock::time_point reset_at;  // the key's state is fully recovered at this instant
  };

  // capacity 0 disables the cache (Lookup always misses).
  explicit DenyCache(std::size_t capacity, std::size_t shards = 16);
  DenyCache(const DenyCache&) = delete;
  DenyCache& operator=(const DenyCache&) = delete;

  // Remembers that `key` refused a request of `entry.cost` until `entry.until` (replaces what
  // was known). A full shard drops its least recently used entry.
  void Insert(std::string_view key, const Entry& entry);
  // The entry if `key` is known to refuse a request of `cost` at `now` (cost >= entry.cost and
  // now < entry.until); expired entries are dropped on the way.
  std::optional<Entry> Lookup(std::string_view key, std::int64_t cost, core::Clock::time_point now);

  std::size_t size() const noexcept { return entries_ ? entries_->size() : 0; }
  std::size_t capacity() const noexcept { return entries_ ? entries_->capacity() : 0; }

 private:
  std::optional<core::ShardedLruMap<Entry>> entries_;  // empty when disabled
};

struct RedisStoreOptions {
  // Redis keys are prefix + rule name + ':' + key (rule names have no ':', so this is unambiguous
  // and binary-safe).
  std::string key_prefix = "rl:";
  // Deadline of each Redis command. Short: the caller answers by failure mode instead of waiting.
  std::chrono::milliseconds timeout{50};
  // Local deny cache entries (0 = off) and shards.
  std::size_t deny_cache_capacity = 10'000;
  std::size_t deny_cache_shards = 16;
};

inline constexpr std::string_view kRedisErrorsHelp =
    "Redis decisions that failed (the rule's failure mode decided).";

// The store's counters since construction, declared once (05's stats.hpp): RedisStoreStats (a
// snapshot), RedisStoreCounters (the live ones) and the Prometheus families come from this list.
// decisions counts Decide calls with valid arguments; timeouts, unavailable and bad_replies the
// decisions that failed with kTimeout, kUnavailable and kBadGateway (a script error, nonsense).
#define RATELIMIT_REDIS_STORE_STATS(COUNTER, GAUGE)                                                \
  COUNTER(decisions, "ratelimit_redis_decisions_total", "", "Decisions asked of the Redis store.") \
  COUNTER(deny_cache_hits, "ratelimit_redis_deny_cache_hits_total", "",                            \
          "Refusals answered from the local deny cache, without a round trip.")                    \
  COUNTER(redis_calls, "", "", "commands sent (EVALSHA, EVAL, SCRIPT LOAD)")                       \
  COUNTER(script_loads, "", "", "SCRIPT LOAD sent")                                                \
  COUNTER(noscript_fallbacks, "", "", "EVALSHA answered NOSCRIPT (Redis restarted): EVAL sent")    \
  COUNTER(timeouts, "ratelimit_redis_errors_total", "kind=timeout", kRedisErrorsHelp)              \
  COUNTER(unavailable, "ratelimit_redis_errors_total", "kind=unavailable", kRedisErrorsHelp)       \
  COUNTER(bad_replies, "ratelimit_redis_errors_total", "kind=bad_reply", kRedisErrorsHelp)
SD_STATS_SNAPSHOT(RedisStoreStats, RATELIMIT_REDIS_STORE_STATS)
SD_STATS_COUNTERS(RedisStoreCounters, RedisStoreStats, RATELIMIT_REDIS_STORE_STATS)

class RedisStore final : public AsyncDecisionStore {
 public:
  // `client` and `clock` are not owned and must outlive the store. `clock` times the deny cache
  // only; decisions use Redis's clock.
  RedisStore(core::RedisClient& client, const core::Clock& clock, RedisStoreOptions options = {});
  RedisStore(const RedisStore&) = delete;
  RedisStore& operator=(const RedisStore&) = delete;

  // OK when `rule` can be computed exactly by the script (ScriptParamsFor). Check every rule at
  // start-up: Decide refuses the others with kInvalidArgument.
  static core::Result<void> Supports(const Rule& rule);

  // Decides a request of `cost` units for `key` under `rule`, as DecisionStore::Decide does for
  // the local store (same algorithms; state changes only when allowed and cost > 0), but on
  // Redis, shared by every client of the same Redis and key prefix.
  // Errors: kUnavailable (Redis unreachable, connection lost), kTimeout (no answer within
  // options.timeout), kBadGateway (the script failed or answered nonsense), kInvalidArgument
  // (cost < 0, or a rule Supports() refuses). The caller applies the rule's failure mode
  // (Limiter::Finish). A timeout does not mean the request went uncounted: the script may still
  // run in Redis after the deadline. `rule` must stay valid until the call has started running
  // (it is read before the first round trip, not after): a Limiter's rules qualify; a temporary
  // passed to co_spawn does not. `key` is any bytes. The store must outlive the call.
  // Thread-safe; runs on the caller's executor.
  core::Task<core::Result<Decision>> Decide(const Rule& rule, std::string key,
                                            std::int64_t cost) override;

  // The Redis key holding (rule, key)'s state.
  std::string RedisKey(std::string_view rule_name, std::string_view key) const;

  RedisStoreStats Stats() const;
  std::size_t deny_cache_size() const { return deny_cache_.size(); }

 private:
  // The SHA1 of the loaded script, or empty (not loaded yet). Set once, then immutable: read
  // without the lock once sha_ready_ says so (the analysis cannot express that, hence the opt-out).
  std::string_view Sha() const noexcept SD_NO_THREAD_SAFETY_ANALYSIS;
  void SetSha(const std::string& sha);
  core::Error Count(core::Error error);

  core::RedisClient& client_;
  const core::Clock& clock_;
  const RedisStoreOptions options_;
  DenyCache deny_cache_;

  mutable core::Mutex sha_mu_;
  std::atomic<bool> sha_ready_{false};
  std::string sha_ SD_GUARDED_BY(sha_mu_);  // immutable once sha_ready_

  RedisStoreCounters counters_;
};

}  // namespace ratelimit
