#include "04_cache_service_mini/cache/s3fifo_policy.hpp"

#include <algorithm>
#include <cmath>

namespace cache {

namespace {
constexpr std::uint8_t kMaxFreq = 3;
constexpr std::size_t kMinGhostEntries = 64;
}  // namespace

S3FifoPolicy::S3FifoPolicy(std::size_t capacity_bytes, double small_ratio, int promote_threshold)
    : small_target_(static_cast<std::size_t>(
          std::llround(static_cast<double>(capacity_bytes) * std::clamp(small_ratio, 0.0, 1.0)))),
      main_target_(capacity_bytes - small_target_),
      promote_threshold_(static_cast<std::uint8_t>(std::clamp(promote_threshold, 1, 3))) {
  ghost_.SetCapacity(kMinGhostEntries);
}

void S3FifoPolicy::PushMain(Item* item) {
  item->queue = kMain;
  main_.PushFront(item);
  main_bytes_ += ItemCharge(*item);
  // The paper's ghost remembers as many keys as the main queue holds items.
  if (main_.size() > ghost_.capacity()) ghost_.SetCapacity(main_.size());
}

void S3FifoPolicy::OnInsert(Item* item, std::uint64_t key_hash) {
  item->SetAccessBits(0);
  const std::size_t charge = ItemCharge(*item);
  const bool remembered = ghost_.Take(key_hash);
  // Until the first eviction, a full small queue spills into main (libCacheSim's S3FIFO.c warm-up
  // rule): otherwise the first 90% of a cold cache would be filled by promotions only.
  const bool small_full = small_bytes_ + charge > small_target_;
  if (remembered || charge > small_target_ || (!has_evicted_ && small_full)) {
    if (remembered) ++ghost_admissions_;
    PushMain(item);
    return;
  }
  item->queue = kSmall;
  small_.PushFront(item);
  small_bytes_ += charge;
}

void S3FifoPolicy::OnReplace(Item* old_item, Item* new_item) noexcept {
  const std::uint8_t freq = old_item->AccessBits();
  new_item->SetAccessBits(static_cast<std::uint8_t>(std::min<int>(freq + 1, kMaxFreq)));
  new_item->queue = old_item->queue;
  const std::size_t old_charge = ItemCharge(*old_item);
  const std::size_t new_charge = ItemCharge(*new_item);
  if (old_item->queue == kSmall) {
    small_.Replace(old_item, new_item);
    small_bytes_ = small_bytes_ - old_charge + new_charge;
  } else {
    main_.Replace(old_item, new_item);
    main_bytes_ = main_bytes_ - old_charge + new_charge;
  }
}

void S3FifoPolicy::OnHit(Item* item) noexcept {
  // Saturating increment of the two low bits; a relaxed CAS loop because concurrent readers share
  // the shard lock. Losing a race costs one count, never correctness.
  std::uint8_t old = item->access.load(std::memory_order_relaxed);
  while ((old & kAccessMask) < kMaxFreq) {
    if (item->access.compare_exchange_weak(old, static_cast<std::uint8_t>(old + 1),
                                           std::memory_order_relaxed)) {
      return;
    }
  }
}

void S3FifoPolicy::OnRemove(Item* item) noexcept {
  if (item->queue == kSmall) {
    small_.Remove(item);
    small_bytes_ -= ItemCharge(*item);
  } else {
    main_.Remove(item);
    main_bytes_ -= ItemCharge(*item);
  }
  item->queue = 0;
}

Item* S3FifoPolicy::Evict() {
  has_evicted_ = true;
  // Evict from main while it is over its share (or nothing is left in small), else from small.
  while (!small_.empty() || !main_.empty()) {
    Item* victim = (main_bytes_ > main_target_ || small_.empty()) ? EvictMain() : EvictSmall();
    if (victim != nullptr) return victim;
  }
  return nullptr;
}

Item* S3FifoPolicy::EvictSmall() {
  while (!small_.empty()) {
    Item* tail = small_.back();
    small_.Remove(tail);
    small_bytes_ -= ItemCharge(*tail);
    if (tail->AccessBits() >= promote_threshold_) {
      tail->SetAccessBits(0);  // the paper clears the bits on promotion
      PushMain(tail);
      ++promotions_;
      // Promotions can push main over its share; the caller's loop then evicts from main.
      if (main_bytes_ > main_target_) return nullptr;
      continue;
    }
    ghost_.Insert(HashKey(tail->key()));
    tail->queue = 0;
    ++small_evictions_;
    return tail;
  }
  return nullptr;
}

Item* S3FifoPolicy::EvictMain() {
  // Terminates: every pass over an item lowers its counter, so within 3 laps something has 0.
  while (!main_.empty()) {
    Item* tail = main_.back();
    const std::uint8_t freq = tail->AccessBits();
    if (freq > 0) {
      tail->SetAccessBits(static_cast<std::uint8_t>(freq - 1));
      main_.MoveToFront(tail);
      ++reinsertions_;
      continue;
    }
    main_.Remove(tail);
    main_bytes_ -= ItemCharge(*tail);
    tail->queue = 0;
    ++main_evictions_;
    return tail;
  }
  return nullptr;
}

void S3FifoPolicy::AppendCounters(std::vector<std::pair<std::string, std::uint64_t>>& out) const {
  out.emplace_back("s3fifo_promotions", promotions_);
  out.emplace_back("s3fifo_reinsertions", reinsertions_);
  out.emplace_back("s3fifo_ghost_admissions", ghost_admissions_);
  out.emplace_back("s3fifo_small_evictions", small_evictions_);
  out.emplace_back("s3fifo_main_evictions", main_evictions_);
  out.emplace_back("s3fifo_small_bytes", small_bytes_);
  out.emplace_back("s3fifo_main_bytes", main_bytes_);
}

}  // namespace cache
