// Which item leaves when a shard is over its byte budget: one interface, four answers.
//
//   LRU      the seed's: every hit relinks the item to the head, so a hit needs the exclusive lock.
//   S3-FIFO  (SOSP '23) small FIFO (10% of bytes) + main FIFO + ghost FIFO of keys, 2-bit
//   frequency.
//            New keys are probed in the small queue and only promoted to main if hit again, so
//            one-hit wonders and scans never displace the hot set.
//   SIEVE    (NSDI '24) one FIFO + a visited bit + a hand that sweeps from the tail, clearing bits.
//   W-TinyLFU (ACM ToS '17, Caffeine's policy) 1% LRU window + segmented LRU main; a window item
//            enters main only if a frequency sketch says it is more popular than main's victim.
//            Hits relink (SLRU) and bump the sketch, so like LRU it needs the exclusive lock.
//
// For S3-FIFO and SIEVE a hit only sets bits in the item (atomically, and not at all when already
// set), never relinks a list: the shard serves their hits under a *shared* lock. That, as much as
// the miss ratio, is the scalability argument of both papers.
//
// A policy runs under its shard's lock and sees items by pointer; it owns only the list links and
// the Item::queue / access bits. The shard owns the memory and the hash table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "04_cache_service_mini/cache/item.hpp"

namespace cache {

enum class PolicyKind { kLru, kS3Fifo, kSieve, kWTinyLfu };

// "lru" | "s3fifo" | "sieve" | "wtinylfu".
std::optional<PolicyKind> ParsePolicy(std::string_view name) noexcept;
std::string_view NameOf(PolicyKind kind) noexcept;

struct PolicyOptions {
  PolicyKind kind = PolicyKind::kS3Fifo;
  // S3-FIFO: share of the shard's bytes for the small (probationary) FIFO. The paper's 10%.
  double s3fifo_small_ratio = 0.10;
  // S3-FIFO: hits while in the small FIFO needed for promotion to main at its tail. The paper and
  // libCacheSim use 2 ("accessed more than once"); hit_ratio_sim measured 1 and 2 within 0.5% of
  // each other on Zipf and Zipf+scan, and 1 ahead under churn (0.947 vs 0.961 of LRU at 10%), so
  // 1 it is. Clamped to 1..3.
  int s3fifo_promote_threshold = 1;
  // W-TinyLFU: put the TinyLFU paper's doorkeeper Bloom filter in front of the frequency sketch.
  // Off by default, as in Caffeine; hit_ratio_sim's `wtinylfu:doorkeeper` measures it.
  bool wtinylfu_doorkeeper = false;
};

// Contract shared by all policies. Every call happens under the shard's exclusive lock, except
// OnHit, which may run concurrently with other OnHit calls (never with anything else) when
// ConcurrentHits() is true.
class EvictionPolicy {
 public:
  virtual ~EvictionPolicy() = default;

  virtual std::string_view Name() const noexcept = 0;
  // True when OnHit only touches Item::access, so lookups may share the shard lock.
  virtual bool ConcurrentHits() const noexcept = 0;

  // A newly stored key (not a replacement). key_hash is HashKey(item->key()).
  virtual void OnInsert(Item* item, std::uint64_t key_hash) = 0;
  // new_item replaces old_item under the same key (set over an existing key, incr, append...); it
  // takes over old_item's place and counts as an access.
  virtual void OnReplace(Item* old_item, Item* new_item) noexcept = 0;
  // A read hit.
  virtual void OnHit(Item* item) noexcept = 0;
  // The shard removed item for its own reasons (delete, expiry, flush).
  virtual void OnRemove(Item* item) noexcept = 0;
  // Picks the next victim, unlinks it from the policy's queues and returns it (the shard then
  // unlinks it from the table and drops its reference); nullptr when the policy tracks no items.
  virtual Item* Evict() = 0;

  // Policy-specific counters for `stats`, e.g. {"s3fifo_promotions", 12}.
  virtual void AppendCounters(std::vector<std::pair<std::string, std::uint64_t>>& out) const = 0;
};

// capacity_bytes is the shard's budget (S3-FIFO and W-TinyLFU size their queues from it).
std::unique_ptr<EvictionPolicy> MakePolicy(const PolicyOptions& options,
                                           std::size_t capacity_bytes);

}  // namespace cache
