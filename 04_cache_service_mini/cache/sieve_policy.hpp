// SIEVE (Zhang et al., "SIEVE is simpler than LRU", NSDI '24).
//
// One FIFO queue plus a visited bit per item and a "hand". New items enter at the head; a hit sets
// the bit (an atomic store, skipped when already set). To evict, the hand walks from where it last
// stopped towards the head, clearing visited bits, and evicts the first unvisited item; at the head
// it wraps to the tail. Unlike CLOCK, survivors stay where they are instead of moving to the head,
// so new items sit near the head and get evicted quickly unless they prove themselves ("quick
// demotion"), while old popular items keep their place ("lazy promotion").
#pragma once

#include <cstdint>

#include "04_cache_service_mini/cache/eviction_policy.hpp"
#include "04_cache_service_mini/cache/item_list.hpp"

namespace cache {

// Thread-compatible; see EvictionPolicy for the locking contract.
class SievePolicy final : public EvictionPolicy {
 public:
  std::string_view Name() const noexcept override { return "sieve"; }
  bool ConcurrentHits() const noexcept override { return true; }
  void OnInsert(Item* item, std::uint64_t key_hash) override;
  void OnReplace(Item* old_item, Item* new_item) noexcept override;
  void OnHit(Item* item) noexcept override;
  void OnRemove(Item* item) noexcept override;
  Item* Evict() override;
  void AppendCounters(std::vector<std::pair<std::string, std::uint64_t>>& out) const override;

  const Item* hand() const noexcept { return hand_; }  // for tests

 private:
  ItemList list_;
  Item* hand_ = nullptr;  // next item to examine; nullptr = start at the tail
  std::uint64_t evictions_ = 0;
  std::uint64_t hand_skips_ = 0;  // visited items the hand spared (bit cleared)
};

}  // namespace cache
