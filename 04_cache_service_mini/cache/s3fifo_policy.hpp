// S3-FIFO (Yang et al., "FIFO queues are all you need for cache eviction", SOSP '23).
//
// New keys enter a small FIFO (10% of the bytes); most objects in real traces are requested once,
// and they leave from there without ever touching the main FIFO. A key hit while in the small queue
// is promoted to the main FIFO when it reaches the tail; one that was not is evicted and its hash
// is remembered in a ghost FIFO, so that if it returns soon it is admitted straight into main. The
// main FIFO is a CLOCK with a 2-bit counter: a tail item with freq > 0 is reinserted at the head
// with freq - 1 ("lazy promotion"), else evicted. A hit is a saturating increment of two bits in
// the item, skipped when already 3 — hot items cost no writes at all.
//
// Byte-aware: queue budgets are in bytes (the shard's budget), and the shard asks for victims until
// the new item fits. An item too big for the small queue goes straight to main (libCacheSim refuses
// to cache it; a memcached replacement cannot refuse a set that fits the cache).
#pragma once

#include <cstddef>
#include <cstdint>

#include "04_cache_service_mini/cache/eviction_policy.hpp"
#include "04_cache_service_mini/cache/ghost_queue.hpp"
#include "04_cache_service_mini/cache/item_list.hpp"

namespace cache {

// Thread-compatible; see EvictionPolicy for the locking contract.
class S3FifoPolicy final : public EvictionPolicy {
 public:
  S3FifoPolicy(std::size_t capacity_bytes, double small_ratio, int promote_threshold);

  std::string_view Name() const noexcept override { return "s3fifo"; }
  bool ConcurrentHits() const noexcept override { return true; }
  void OnInsert(Item* item, std::uint64_t key_hash) override;
  void OnReplace(Item* old_item, Item* new_item) noexcept override;
  void OnHit(Item* item) noexcept override;
  void OnRemove(Item* item) noexcept override;
  Item* Evict() override;
  void AppendCounters(std::vector<std::pair<std::string, std::uint64_t>>& out) const override;

  // For tests and stats.
  std::size_t small_bytes() const noexcept { return small_bytes_; }
  std::size_t main_bytes() const noexcept { return main_bytes_; }
  std::size_t small_count() const noexcept { return small_.size(); }
  std::size_t main_count() const noexcept { return main_.size(); }

 private:
  enum Queue : std::uint8_t { kSmall = 1, kMain = 2 };

  void PushMain(Item* item);
  Item* EvictSmall();
  Item* EvictMain();

  const std::size_t small_target_;
  const std::size_t main_target_;
  const std::uint8_t promote_threshold_;
  ItemList small_;
  ItemList main_;
  std::size_t small_bytes_ = 0;
  std::size_t main_bytes_ = 0;
  bool has_evicted_ = false;
  GhostQueue ghost_;

  std::uint64_t promotions_ = 0;        // small -> main at the small tail
  std::uint64_t reinsertions_ = 0;      // main tail -> main head (freq > 0)
  std::uint64_t ghost_admissions_ = 0;  // inserted straight into main thanks to the ghost
  std::uint64_t small_evictions_ = 0;
  std::uint64_t main_evictions_ = 0;
};

}  // namespace cache
