// One shard of the cache: a hash table, an eviction policy, a byte budget and one reader/writer
// lock. Cache spreads keys over shards by hash, so threads working on different keys rarely meet
// on a lock (the seed's "global mutex vs per-key locking" lesson, at a granularity that costs one
// mutex per shard rather than one per key). The lock spins before it yields (spin_rw_lock.hpp):
// every section is short, and a kernel sleep per contended acquisition made it convoy.
//
// Reads take the lock shared when the policy's hits only set bits (S3-FIFO, SIEVE) and exclusive
// under LRU, whose hits relink a list. A read that finds an expired or flushed item falls back to
// the exclusive path to remove it (lazy expiry). Items with a TTL are also kept in a vector so that
// active expiry can sample them uniformly in O(1), as Redis samples its `expires` dictionary.
//
// Internal to Cache: callers pass the key's hash and the current time, and Cache owns the CAS
// counter and flush state that every shard reads.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "04_cache_service_mini/cache/cache_stats.hpp"
#include "04_cache_service_mini/cache/cache_types.hpp"
#include "04_cache_service_mini/cache/eviction_policy.hpp"
#include "04_cache_service_mini/cache/item.hpp"
#include "04_cache_service_mini/cache/item_table.hpp"
#include "04_cache_service_mini/cache/spin_rw_lock.hpp"

namespace cache {

// Cache-wide state read by every shard. Owned by Cache.
struct ShardContext {
  std::size_t max_value_bytes = 0;  // append/prepend may not grow a value past this
  std::atomic<std::uint64_t> next_cas{1};
  // Items whose CAS is below this were stored before the last flush_all took effect.
  std::atomic<std::uint64_t> flush_below_cas{0};
};

struct ShardUsage {
  std::size_t items = 0;
  std::size_t bytes = 0;
  std::size_t reserved = 0;  // charges of values still being received (Reserve)
};

// Thread-safe: every public method takes the shard's lock.
class alignas(64) CacheShard {
 public:
  CacheShard(std::size_t capacity_bytes, const PolicyOptions& policy, ShardContext& context,
             std::uint64_t seed);
  ~CacheShard();
  CacheShard(const CacheShard&) = delete;
  CacheShard& operator=(const CacheShard&) = delete;

  ItemHandle Get(std::string_view key, std::uint64_t hash, std::int64_t now_ns);
  // gat: a hit also gets the new deadline (0 = never). Counts touch_hits / touch_misses.
  ItemHandle GetAndTouch(std::string_view key, std::uint64_t hash, std::int64_t now_ns,
                         std::int64_t deadline_ns);
  bool Touch(std::string_view key, std::uint64_t hash, std::int64_t now_ns,
             std::int64_t deadline_ns);
  // Takes ownership of `item` (stored or freed). For append/prepend the item holds the bytes to
  // add; flags and deadline then come from the existing item. `reserved` is what Reserve set
  // aside for this item (0 if nothing): it is returned here, under the lock, as the item's own
  // bytes are fitted. kNoMemory when the item cannot fit beside the other reservations; a kSet
  // then drops the key's old value (memcached's rule for a failed set).
  StoreStatus Store(StoreMode mode, Item* item, std::uint64_t hash, std::int64_t now_ns,
                    std::int64_t deadline_ns, std::uint64_t cas_unique, std::size_t reserved = 0);
  // Sets aside `charge` bytes of the budget for an item still being received, evicting stored
  // items to make room now (memcached allocates the item, evicting, before reading its value).
  // False, evicting nothing, if the reservations already made leave no room: stored items plus
  // reservations never exceed the capacity. Return the bytes with reservation().fetch_sub, or by
  // passing them to Store; PendingItem does both.
  bool Reserve(std::size_t charge, std::int64_t now_ns);
  std::atomic<std::size_t>& reservation() noexcept { return reserved_; }
  bool Delete(std::string_view key, std::uint64_t hash, std::int64_t now_ns);
  ArithResult Arith(std::string_view key, std::uint64_t hash, std::int64_t now_ns, bool incr,
                    std::uint64_t delta);
  // Drops the key without counting a delete (memcached does this when a set is refused).
  void Discard(std::string_view key, std::uint64_t hash);

  // One round of active expiry: examines up to `samples` items with a TTL, removes the dead ones.
  ExpireReport ExpireRound(std::size_t samples, std::int64_t now_ns);

  std::size_t capacity_bytes() const noexcept { return capacity_bytes_; }
  ShardUsage Usage() const;
  const Counters& counters() const noexcept { return counters_; }
  void AppendPolicyCounters(std::vector<std::pair<std::string, std::uint64_t>>& out) const;

 private:
  // Why FindLive looks: decides which counter a dead item found on the way bumps.
  enum class Lookup { kGet, kOther, kWrite };

  bool Dead(const Item* item, std::int64_t now_ns) const noexcept;
  // Finds the key; if the item is expired or flushed, removes it (counting why) and returns null.
  Item* FindLive(std::string_view key, std::uint64_t hash, std::int64_t now_ns, Lookup lookup)
      SD_REQUIRES(mu_);
  // Fits `item` (evicting as needed) and links it, replacing `old` if not null. Takes ownership of
  // item; false (item freed, nothing evicted) if it cannot fit beside the reservations.
  bool Commit(Item* item, Item* old, std::uint64_t hash, std::int64_t now_ns) SD_REQUIRES(mu_);
  // Evicts until `charge` more bytes fit beside what is stored and reserved, counting `old` (to be
  // replaced, may be null) as free; if the policy picks `old` it is removed and `old` set to null.
  // Precondition: charge + reserved_ <= capacity_ (evicting everything is then enough).
  void EvictFor(std::size_t charge, Item*& old, std::uint64_t old_hash, std::int64_t now_ns)
      SD_REQUIRES(mu_);
  void Link(Item* item, std::uint64_t hash) SD_REQUIRES(mu_);
  // Policy + table + TTL vector, then Unref.
  void Unlink(Item* item, std::uint64_t hash) SD_REQUIRES(mu_);
  // Table + TTL vector + accounting (not policy).
  void Detach(Item* item, std::uint64_t hash) SD_REQUIRES(mu_);
  void RemoveActiveExpired(Item* item, std::int64_t now_ns) SD_REQUIRES(mu_);
  void SetDeadline(Item* item, std::int64_t deadline_ns) SD_REQUIRES(mu_);
  void TtlAdd(Item* item) SD_REQUIRES(mu_);
  void TtlRemove(Item* item) SD_REQUIRES(mu_);
  std::uint64_t NextRandom() noexcept SD_REQUIRES(mu_);

  mutable SpinRwLock mu_;  // spins, then yields: sections are short (spin_rw_lock.hpp)
  const std::size_t capacity_bytes_;
  ShardContext& context_;
  // Hits may update the policy under the shared lock only when it says they can (shared_reads_).
  std::unique_ptr<EvictionPolicy> policy_ SD_PT_GUARDED_BY(mu_);
  const bool shared_reads_;
  ItemTable table_ SD_GUARDED_BY(mu_);
  std::vector<Item*> ttl_items_ SD_GUARDED_BY(mu_);
  std::size_t bytes_ SD_GUARDED_BY(mu_) = 0;
  // Reserved for values in flight. Raised only under the exclusive lock (so a check made under it
  // stays true); lowered from anywhere, without the lock, when a pending item is dropped.
  std::atomic<std::size_t> reserved_{0};
  std::uint64_t rng_ SD_GUARDED_BY(mu_);
  Counters counters_;
};

}  // namespace cache
