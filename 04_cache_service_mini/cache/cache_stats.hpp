// The cache's counters, declared once (the X-macro below) and named as memcached names them, so
// `stats` over the memcached protocol, GET /stats over HTTP and any metrics exporter agree.
//
// Each shard bumps its own relaxed atomics (hits happen under a shared lock, so plain integers
// would race); a snapshot sums the shards. cmd_get and cmd_touch are derived (hits + misses) rather
// than counted, which saves one contended atomic per lookup.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cache {

// X(name, meaning). Order = the order `stats` prints them in.
#define SD_CACHE_COUNTERS(X)                                                   \
  X(cmd_set, "storage commands executed (set/add/replace/append/prepend/cas)") \
  X(cmd_flush, "flush_all commands")                                           \
  X(get_hits, "keys requested and found")                                      \
  X(get_misses, "keys requested and not found (includes expired and flushed)") \
  X(get_expired, "keys requested but found expired")                           \
  X(get_flushed, "keys requested but invalidated by flush_all")                \
  X(delete_misses, "deletes of missing keys")                                  \
  X(delete_hits, "deletes that removed an item")                               \
  X(incr_misses, "incr of missing keys")                                       \
  X(incr_hits, "successful incr")                                              \
  X(decr_misses, "decr of missing keys")                                       \
  X(decr_hits, "successful decr")                                              \
  X(cas_misses, "cas on missing keys")                                         \
  X(cas_hits, "successful cas")                                                \
  X(cas_badval, "cas whose unique did not match")                              \
  X(touch_hits, "keys touched (touch, gat, gats) and found")                   \
  X(touch_misses, "keys touched and not found")                                \
  X(store_too_large, "stores refused: value over the item size limit")         \
  X(store_no_memory, "stores refused: item larger than a shard's budget")      \
  X(total_items, "items stored since start")                                   \
  X(expired_unfetched, "expired items removed that were never read")           \
  X(evicted_unfetched, "live items evicted that were never read")              \
  X(evictions, "live items evicted to make room")                              \
  X(reclaimed, "expired or flushed items removed by eviction or an overwrite") \
  X(expired_active, "expired items removed by active expiry (ExpireSome)")     \
  X(expiry_sampled, "items examined by active expiry")

// Live counters of one shard (or of cache-wide events). Thread-safe.
struct Counters {
// NOLINTNEXTLINE(bugprone-macro-parentheses): `name` is the member's name, not an expression
#define SD_CACHE_DECLARE_ATOMIC(name, meaning) std::atomic<std::uint64_t> name{0};
  SD_CACHE_COUNTERS(SD_CACHE_DECLARE_ATOMIC)
#undef SD_CACHE_DECLARE_ATOMIC
};

inline void Bump(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) noexcept {
  counter.fetch_add(n, std::memory_order_relaxed);
}

// A point-in-time copy summed over shards. Counters are read one by one without a global lock, so
// two of them may be a few operations apart; each is monotonic.
struct CacheStats {
#define SD_CACHE_DECLARE_FIELD(name, meaning) std::uint64_t name = 0;
  SD_CACHE_COUNTERS(SD_CACHE_DECLARE_FIELD)
#undef SD_CACHE_DECLARE_FIELD
  std::uint64_t curr_items = 0;
  std::uint64_t bytes = 0;           // charged bytes (key + value + kItemOverheadBytes per item)
  std::uint64_t limit_maxbytes = 0;  // the memory budget
  // Charges reserved for values still being received; bytes + bytes_in_flight <= limit_maxbytes.
  std::uint64_t bytes_in_flight = 0;
  std::string policy;  // "lru" | "s3fifo" | "sieve" | "wtinylfu"
  // Policy-specific counters summed over shards, e.g. s3fifo_promotions.
  std::vector<std::pair<std::string, std::uint64_t>> policy_counters;

  std::uint64_t cmd_get() const noexcept { return get_hits + get_misses; }
  std::uint64_t cmd_touch() const noexcept { return touch_hits + touch_misses; }

  void Add(const Counters& c) noexcept;
  // Subtracts `base`'s counters and policy counters (not the gauges: items, bytes, limits),
  // stopping at 0: what has happened since `base` was taken (memcached's `stats reset`).
  void SubtractCounters(const CacheStats& base) noexcept;
  // Calls fn(std::string_view name, std::uint64_t value) for every numeric stat: the derived
  // cmd_get and cmd_touch, the counters in SD_CACHE_COUNTERS order, the gauges, the policy's own.
  template <class Fn>
  void ForEach(Fn&& fn) const {
    fn(std::string_view("cmd_get"), cmd_get());
    fn(std::string_view("cmd_touch"), cmd_touch());
#define SD_CACHE_VISIT(name, meaning) fn(std::string_view(#name), name);
    SD_CACHE_COUNTERS(SD_CACHE_VISIT)
#undef SD_CACHE_VISIT
    fn(std::string_view("limit_maxbytes"), limit_maxbytes);
    fn(std::string_view("bytes"), bytes);
    fn(std::string_view("curr_items"), curr_items);
    fn(std::string_view("bytes_in_flight"), bytes_in_flight);
    for (const auto& [name, value] : policy_counters) fn(std::string_view(name), value);
  }
};

}  // namespace cache
