#include "04_cache_service_mini/cache/sieve_policy.hpp"

namespace cache {

namespace {
constexpr std::uint8_t kVisited = 1;
}  // namespace

void SievePolicy::OnInsert(Item* item, std::uint64_t /*key_hash*/) {
  item->SetAccessBits(0);
  list_.PushFront(item);
}

void SievePolicy::OnReplace(Item* old_item, Item* new_item) noexcept {
  list_.Replace(old_item, new_item);
  new_item->SetAccessBits(kVisited);
  if (hand_ == old_item) hand_ = new_item;
}

void SievePolicy::OnHit(Item* item) noexcept {
  if ((item->access.load(std::memory_order_relaxed) & kVisited) == 0) {
    item->access.fetch_or(kVisited, std::memory_order_relaxed);
  }
}

void SievePolicy::OnRemove(Item* item) noexcept {
  if (hand_ == item) hand_ = item->prev;
  list_.Remove(item);
}

Item* SievePolicy::Evict() {
  Item* candidate = hand_ != nullptr ? hand_ : list_.back();
  if (candidate == nullptr) return nullptr;
  // Terminates within one lap plus one item: every visited item passed is cleared.
  while ((candidate->AccessBits() & kVisited) != 0) {
    candidate->SetAccessBits(0);
    ++hand_skips_;
    candidate = candidate->prev != nullptr ? candidate->prev : list_.back();
  }
  hand_ = candidate->prev;
  list_.Remove(candidate);
  ++evictions_;
  return candidate;
}

void SievePolicy::AppendCounters(std::vector<std::pair<std::string, std::uint64_t>>& out) const {
  out.emplace_back("sieve_evictions", evictions_);
  out.emplace_back("sieve_hand_skips", hand_skips_);
}

}  // namespace cache
