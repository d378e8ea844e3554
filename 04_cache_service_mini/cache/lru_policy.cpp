#include "04_cache_service_mini/cache/lru_policy.hpp"

namespace cache {

void LruPolicy::OnInsert(Item* item, std::uint64_t /*key_hash*/) { list_.PushFront(item); }

void LruPolicy::OnReplace(Item* old_item, Item* new_item) noexcept {
  list_.Replace(old_item, new_item);
  list_.MoveToFront(new_item);
}

void LruPolicy::OnHit(Item* item) noexcept { list_.MoveToFront(item); }

void LruPolicy::OnRemove(Item* item) noexcept { list_.Remove(item); }

Item* LruPolicy::Evict() {
  Item* victim = list_.back();
  if (victim == nullptr) return nullptr;
  list_.Remove(victim);
  ++evictions_;
  return victim;
}

void LruPolicy::AppendCounters(std::vector<std::pair<std::string, std::uint64_t>>& out) const {
  out.emplace_back("lru_evictions", evictions_);
}

}  // namespace cache
