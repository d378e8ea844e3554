// The cache: a byte-bounded, sharded key/value store with per-item TTLs and memcached's semantics
// (flags, CAS uniques, add/replace/append/prepend/cas, incr/decr, touch, flush_all), shared by all
// server threads. Both front ends call it directly: the HTTP handlers and the memcached protocol.
//
// Design in one breath: keys hash to one of N shards, each with its own lock, table, eviction
// policy and 1/N of the memory budget. A get hit costs one shard lock (shared under S3-FIFO and
// SIEVE), one hash lookup and one reference-count increment, and allocates nothing; the caller
// reads the bytes through the returned handle after the lock is gone. Expired items are removed
// lazily when read and actively by ExpireSome, a bounded step function the owner calls from a
// timer: the library starts no threads, so nothing in it can outlive its owner.
//
//   ```cpp
//   using namespace cache;
//   using namespace std::chrono_literals;
//   core::SystemClock clock;
//   Cache users({.max_bytes = 64 << 20, .policy = {.kind = PolicyKind::kS3Fifo}}, clock);
//   void Remember(std::string_view id, std::string_view json) {
//     users.Store(StoreMode::kSet, id, json, /*flags=*/0, Expiry::After(30s));
//   }
//   std::string Recall(std::string_view id) {
//     if (ItemHandle h = users.Get(id)) return std::string(h.value());  // no lock held here
//     return "";
//   }
//   ```
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "04_cache_service_mini/cache/cache_shard.hpp"
#include "04_cache_service_mini/cache/cache_stats.hpp"
#include "04_cache_service_mini/cache/cache_types.hpp"
#include "04_cache_service_mini/cache/eviction_policy.hpp"
#include "04_cache_service_mini/cache/expiry.hpp"
#include "04_cache_service_mini/cache/item.hpp"
#include "core/base/clock.hpp"
#include "core/base/error.hpp"

namespace cache {

struct CacheOptions {
  // Memory budget in charged bytes (key + value + kItemOverheadBytes per item), split evenly over
  // the shards. memcached's -m / limit_maxbytes.
  std::size_t max_bytes = std::size_t{64} << 20;
  // Lock stripes. More shards = less lock contention but a coarser eviction order (each shard
  // evicts on its own) and a smaller largest-item bound (an item must fit in one shard's budget).
  std::size_t shards = 16;
  PolicyOptions policy;
  // Largest value accepted, in bytes (memcached's item_size_max, -I; default 1 MiB).
  std::size_t max_value_bytes = std::size_t{1} << 20;
  // TTL for Expiry::Default(); zero or negative = such items never expire.
  core::Clock::duration default_ttl = core::Clock::duration::zero();
  // Seeds active expiry's sampling so tests and simulations replay exactly.
  std::uint64_t seed = 0x5eedcafe;
};

// Thread-safe: every method may be called from any thread at any time. Keys must satisfy
// IsValidKey (callers validate and answer CLIENT_ERROR / 400); an invalid key is never found and
// never stored. Handles may outlive the Cache.
class Cache {
 public:
  // Validates `options` and builds the cache; what a service calls at start-up. `clock` must
  // outlive the cache. Errors (kInvalidArgument) name the option: no shards, or a byte budget
  // smaller than one byte per shard.
  static core::Result<std::unique_ptr<Cache>> Create(const CacheOptions& options,
                                                     const core::Clock& clock);
  // The same without the Result (tests, benchmarks): throws std::invalid_argument where Create
  // returns an error.
  Cache(const CacheOptions& options, const core::Clock& clock);
  ~Cache();
  Cache(const Cache&) = delete;
  Cache& operator=(const Cache&) = delete;

  // get: a handle to the live item, or an empty handle. Counts get_hits / get_misses (and
  // get_expired / get_flushed when the item was there but dead).
  ItemHandle Get(std::string_view key);
  // gat: like Get, and on a hit the item's expiry becomes `expiry`. Counts touch_hits/misses.
  ItemHandle GetAndTouch(std::string_view key, Expiry expiry);
  // touch: sets a live item's expiry. False if there is no live item.
  bool Touch(std::string_view key, Expiry expiry);

  // First half of a two-step store: allocates an item for `value_len` bytes, which the caller
  // fills through PendingItem::mutable_value() (a value arriving off a socket, say) and then
  // passes to Store. The item's charge is reserved against its shard's budget at once, evicting
  // stored items to make room as memcached does when it allocates: stored bytes plus bytes in
  // flight never exceed the budget, however many clients stop mid-value. Dropping the
  // PendingItem returns the reservation. Fails with kTooLarge (value_len > max_value_bytes) or
  // kNoMemory (the item cannot fit in a shard, or values in flight already hold its room);
  // memcached then drops the key if mode is kSet, so a failed set never leaves the previous value
  // readable, and so does this. `reserve` = false skips the reservation (and its lock) for a
  // caller that fills and stores the item at once from bytes it already holds: nothing is then
  // in flight, and the store itself fits the item.
  Allocation Allocate(StoreMode mode, std::string_view key, std::uint32_t flags,
                      std::size_t value_len, bool reserve = true);
  // Second half: stores the filled item according to `mode`. For kAppend/kPrepend the item holds
  // the bytes to add and its flags and `expiry` are ignored (memcached's rule). `cas_unique` is
  // only read for kCas. Assigns a new CAS unique on success. kNoMemory if the item no longer fits
  // beside the values in flight (a kSet then drops the old value).
  StoreStatus Store(StoreMode mode, PendingItem item, Expiry expiry, std::uint64_t cas_unique = 0);
  // One-step store for callers that already hold the value (HTTP bodies, tests, the simulator):
  // nothing is in flight, so nothing is reserved.
  StoreStatus Store(StoreMode mode, std::string_view key, std::string_view value,
                    std::uint32_t flags, Expiry expiry, std::uint64_t cas_unique = 0);

  // delete: true if a live item was removed.
  bool Delete(std::string_view key);
  // incr/decr: the value must be a decimal 64-bit unsigned number (leading spaces allowed, see
  // ParseDecimalValue). incr wraps at 2^64, decr stops at 0. Keeps flags and expiry, new CAS.
  ArithResult Incr(std::string_view key, std::uint64_t delta);
  ArithResult Decr(std::string_view key, std::uint64_t delta);

  // flush_all: every item stored before the flush takes effect stops being served (now, or after
  // `delay`; a later call replaces a pending one). Lazy, like memcached: the memory is reclaimed
  // when flushed items are next read, evicted or sampled by ExpireSome.
  void FlushAll(core::Clock::duration delay = core::Clock::duration::zero());

  // Active expiry, one bounded step (see ExpireBudget). Visits shards round-robin from where the
  // previous call stopped; in each, samples TTL'd items and repeats while the expired share of a
  // round is above budget.repeat_above. Call it from a timer (Redis runs it 10x per second).
  ExpireReport ExpireSome(const ExpireBudget& budget = {});

  CacheStats Stats() const;
  // The same per shard, in shard order (counters, items, bytes, bytes_in_flight, limit_maxbytes;
  // no policy name or policy counters): how evenly keys and load spread (`stats slabs/items`).
  std::vector<CacheStats> StatsByShard() const;
  const CacheOptions& options() const noexcept { return options_; }
  std::string_view policy_name() const noexcept { return NameOf(options_.policy.kind); }
  // The per-shard budget: the largest item (ItemCharge) the cache can hold.
  std::size_t shard_capacity_bytes() const noexcept { return shard_capacity_; }

 private:
  CacheShard& ShardFor(std::uint64_t hash) const noexcept;
  // Reads the clock and applies a delayed flush_all whose time has come.
  core::Clock::time_point Now() noexcept;
  void RaiseFlushBelow(std::uint64_t cas) noexcept;

  static constexpr std::int64_t kNoPendingFlush = INT64_MIN;

  const CacheOptions options_;
  const core::Clock& clock_;
  std::size_t shard_capacity_;
  mutable ShardContext context_;
  std::vector<std::unique_ptr<CacheShard>> shards_;
  std::atomic<std::int64_t> flush_at_ns_{kNoPendingFlush};
  std::atomic<std::size_t> expire_cursor_{0};
  Counters global_;  // cache-wide events: cmd_flush, store_too_large
};

}  // namespace cache
