#include "04_cache_service_mini/cache/wtinylfu_policy.hpp"

#include <algorithm>
#include <new>

#include "core/base/splitmix64.hpp"

namespace cache {

namespace {

std::size_t WindowTarget(std::size_t capacity_bytes, double window_ratio) {
  // Caffeine's rounding: main gets floor(99%), the window the rest.
  const double main_share = 1.0 - std::clamp(window_ratio, 0.0, 1.0);
  return capacity_bytes -
         static_cast<std::size_t>(static_cast<double>(capacity_bytes) * main_share);
}

}  // namespace

WTinyLfuPolicy::WTinyLfuPolicy(std::size_t capacity_bytes, const WTinyLfuOptions& options)
    : capacity_bytes_(capacity_bytes),
      window_target_(WindowTarget(capacity_bytes, options.window_ratio)),
      protected_target_(
          static_cast<std::size_t>(static_cast<double>(capacity_bytes - window_target_) *
                                   std::clamp(options.protected_ratio, 0.0, 1.0))),
      sketch_(options.doorkeeper),
      rng_(options.seed) {}

void WTinyLfuPolicy::Push(Queue queue, Item* item) noexcept {
  item->queue = queue;
  const std::size_t charge = ItemCharge(*item);
  switch (queue) {
    case kWindow:
      window_.PushFront(item);
      window_bytes_ += charge;
      break;
    case kProbation:
      probation_.PushFront(item);
      probation_bytes_ += charge;
      break;
    case kProtected:
      protected_.PushFront(item);
      protected_bytes_ += charge;
      break;
    case kNone:
      break;
  }
}

void WTinyLfuPolicy::Unlink(Item* item) noexcept {
  const std::size_t charge = ItemCharge(*item);
  switch (QueueOf(item)) {
    case kWindow:
      window_.Remove(item);
      window_bytes_ -= charge;
      break;
    case kProbation:
      probation_.Remove(item);
      probation_bytes_ -= charge;
      break;
    case kProtected:
      protected_.Remove(item);
      protected_bytes_ -= charge;
      break;
    case kNone:
      break;
  }
  item->queue = kNone;
}

void WTinyLfuPolicy::Record(std::uint64_t key_hash) {
  // Caffeine sizes a weighted cache's sketch from its entry count once it is half full, and grows
  // it as the count grows: the byte budget alone says nothing about how many keys fit.
  if (TotalBytes() >= capacity_bytes_ / 2) {
    try {
      sketch_.EnsureCapacity(TotalCount());
    } catch (const std::bad_alloc&) {
      // Keep the smaller sketch: less accurate admission beats failing the store.
    }
  }
  sketch_.Increment(key_hash);
}

void WTinyLfuPolicy::OnInsert(Item* item, std::uint64_t key_hash) {
  Push(kWindow, item);
  Record(key_hash);
  Rebalance();
}

void WTinyLfuPolicy::OnReplace(Item* old_item, Item* new_item) noexcept {
  const Queue queue = QueueOf(old_item);
  const std::size_t old_charge = ItemCharge(*old_item);
  const std::size_t new_charge = ItemCharge(*new_item);
  new_item->queue = queue;
  old_item->queue = kNone;
  switch (queue) {
    case kWindow:
      window_.Replace(old_item, new_item);
      window_bytes_ = window_bytes_ - old_charge + new_charge;
      break;
    case kProbation:
      probation_.Replace(old_item, new_item);
      probation_bytes_ = probation_bytes_ - old_charge + new_charge;
      break;
    case kProtected:
      protected_.Replace(old_item, new_item);
      protected_bytes_ = protected_bytes_ - old_charge + new_charge;
      break;
    case kNone:
      break;
  }
  // A write is an access (Caffeine's update path): count it and move the item as a hit would.
  sketch_.Increment(HashKey(new_item->key()));
  Reorder(new_item);
  Rebalance();  // the new value may be bigger than the old
}

void WTinyLfuPolicy::OnHit(Item* item) noexcept {
  // The shard does not pass the hash to OnHit, so the key is hashed again (~10 ns for short keys).
  sketch_.Increment(HashKey(item->key()));
  Reorder(item);
  if (protected_bytes_ > protected_target_) Rebalance();
}

// The sketch keeps the key's history: if it comes back soon, it is still known to be popular.
void WTinyLfuPolicy::OnRemove(Item* item) noexcept { Unlink(item); }

void WTinyLfuPolicy::Reorder(Item* item) noexcept {
  switch (QueueOf(item)) {
    case kWindow:
      window_.MoveToFront(item);
      break;
    case kProbation:
      // Caffeine keeps an item bigger than all of protected in probation.
      if (ItemCharge(*item) > protected_target_) {
        probation_.MoveToFront(item);
        break;
      }
      Unlink(item);
      Push(kProtected, item);
      ++promotions_;
      break;
    case kProtected:
      protected_.MoveToFront(item);
      break;
    case kNone:
      break;
  }
}

void WTinyLfuPolicy::Rebalance() noexcept {
  // The window keeps its newest item even when that alone is over its share (a big item, or a
  // window smaller than one item): the window tail is the candidate Evict needs.
  while (window_bytes_ > window_target_ && window_.size() > 1) {
    Item* tail = window_.back();
    Unlink(tail);
    Push(kProbation, tail);
  }
  // Demoted items go to probation's head: they get a full probation lap to be hit again.
  while (protected_bytes_ > protected_target_ && !protected_.empty()) {
    Item* tail = protected_.back();
    Unlink(tail);
    Push(kProbation, tail);
    ++demotions_;
  }
}

bool WTinyLfuPolicy::WindowFull() const noexcept {
  // The shard asks for room before it links the newcomer, whose size the policy is not told: guess
  // one more item like the window tail. Exact when items are of equal size.
  return !window_.empty() && window_bytes_ + ItemCharge(*window_.back()) > window_target_;
}

bool WTinyLfuPolicy::Admit(const Item* candidate, const Item* victim) noexcept {
  const int candidate_frequency = sketch_.Frequency(HashKey(candidate->key()));
  const int victim_frequency = sketch_.Frequency(HashKey(victim->key()));
  if (candidate_frequency > victim_frequency) return true;
  if (candidate_frequency < kWarmCandidate) return false;
  if ((NextRandom() & 127) != 0) return false;
  ++random_admissions_;
  return true;
}

Item* WTinyLfuPolicy::Evict() {
  // Main's victim is probation's LRU item; with probation empty, protected's (Caffeine's order).
  Item* victim = !probation_.empty() ? probation_.back() : protected_.back();
  if (victim == nullptr) {
    victim = window_.back();  // only the window holds items: plain LRU
  } else if (WindowFull()) {
    Item* candidate = window_.back();
    if (Admit(candidate, victim)) {
      ++admissions_;
      Unlink(candidate);
      Push(kProbation, candidate);
    } else {
      ++rejections_;
      victim = candidate;
    }
  }
  if (victim == nullptr) return nullptr;
  Unlink(victim);
  ++evictions_;
  return victim;
}

std::uint64_t WTinyLfuPolicy::NextRandom() noexcept {
  // splitmix64: deterministic for a seed, so simulations replay exactly.
  return core::SplitMix64(rng_);
}

void WTinyLfuPolicy::AppendCounters(std::vector<std::pair<std::string, std::uint64_t>>& out) const {
  out.emplace_back("wtinylfu_admissions", admissions_);
  out.emplace_back("wtinylfu_rejections", rejections_);
  out.emplace_back("wtinylfu_random_admissions", random_admissions_);
  out.emplace_back("wtinylfu_promotions", promotions_);
  out.emplace_back("wtinylfu_demotions", demotions_);
  out.emplace_back("wtinylfu_evictions", evictions_);
  out.emplace_back("wtinylfu_sketch_agings", sketch_.agings());
  out.emplace_back("wtinylfu_window_bytes", window_bytes_);
  out.emplace_back("wtinylfu_probation_bytes", probation_bytes_);
  out.emplace_back("wtinylfu_protected_bytes", protected_bytes_);
}

}  // namespace cache
