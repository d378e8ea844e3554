// Least-recently-used: the seed's policy and the baseline every other policy is measured against.
// A hit moves the item to the head of one list, so hits write shared state and need the shard's
// exclusive lock; the tail is always the victim. Scans (many keys read once) flush it completely.
#pragma once

#include <cstdint>

#include "04_cache_service_mini/cache/eviction_policy.hpp"
#include "04_cache_service_mini/cache/item_list.hpp"

namespace cache {

// Thread-compatible; see EvictionPolicy for the locking contract.
class LruPolicy final : public EvictionPolicy {
 public:
  std::string_view Name() const noexcept override { return "lru"; }
  bool ConcurrentHits() const noexcept override { return false; }
  void OnInsert(Item* item, std::uint64_t key_hash) override;
  void OnReplace(Item* old_item, Item* new_item) noexcept override;
  void OnHit(Item* item) noexcept override;
  void OnRemove(Item* item) noexcept override;
  Item* Evict() override;
  void AppendCounters(std::vector<std::pair<std::string, std::uint64_t>>& out) const override;

 private:
  ItemList list_;
  std::uint64_t evictions_ = 0;
};

}  // namespace cache
