#include "04_cache_service_mini/cache/ghost_queue.hpp"

#include <algorithm>
#include <bit>

namespace cache {

void GhostQueue::SetCapacity(std::size_t capacity) {
  capacity_ = capacity;
  // The table is built on the first Insert (the first eviction): a cache that never fills never
  // pays for its ghost.
  if (!slots_.empty()) Reserve();
}

void GhostQueue::Reserve() {
  // Two slots per remembered key keeps 4-way buckets from overwriting live entries often.
  const std::size_t wanted = std::bit_ceil(std::max<std::size_t>(capacity_ * 2, kWays));
  if (wanted > slots_.size()) slots_.assign(wanted, Slot{});
}

namespace {
// The shard was chosen from the same hash; remix so ghost buckets do not inherit that choice
// (otherwise a shard's keys would all land in 1/N of its ghost buckets).
std::uint64_t Remix(std::uint64_t h) noexcept {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}
}  // namespace

std::uint32_t GhostQueue::Fingerprint(std::uint64_t key_hash) noexcept {
  const auto fp = static_cast<std::uint32_t>(key_hash);
  return fp == 0 ? 1 : fp;
}

std::size_t GhostQueue::BucketOf(std::uint64_t key_hash) const noexcept {
  // Remixed high bits pick the bucket, the raw low 32 bits are the fingerprint.
  return static_cast<std::size_t>(Remix(key_hash) >> 32) & (slots_.size() / kWays - 1);
}

bool GhostQueue::Live(const Slot& slot) const noexcept {
  // Unsigned subtraction is the age even across wrap-around of clock_.
  return slot.fingerprint != 0 && static_cast<std::uint32_t>(clock_ - slot.stamp) < capacity_;
}

void GhostQueue::Insert(std::uint64_t key_hash) {
  if (capacity_ == 0) return;
  if (slots_.empty()) Reserve();
  ++clock_;
  if (clock_ == 0) {  // after 2^32 insertions old stamps would look young again: forget them all
    std::fill(slots_.begin(), slots_.end(), Slot{});
    clock_ = 1;
  }
  Slot* bucket = &slots_[BucketOf(key_hash) * kWays];
  const std::uint32_t fp = Fingerprint(key_hash);
  Slot* target = bucket;
  for (std::size_t i = 0; i < kWays; ++i) {
    Slot& slot = bucket[i];
    if (!Live(slot) || slot.fingerprint == fp) {
      target = &slot;
      break;
    }
    // Otherwise overwrite the oldest live entry.
    if (static_cast<std::uint32_t>(clock_ - slot.stamp) >
        static_cast<std::uint32_t>(clock_ - target->stamp)) {
      target = &slot;
    }
  }
  *target = Slot{fp, clock_};
}

bool GhostQueue::Take(std::uint64_t key_hash) noexcept {
  if (capacity_ == 0 || slots_.empty()) return false;
  Slot* bucket = &slots_[BucketOf(key_hash) * kWays];
  const std::uint32_t fp = Fingerprint(key_hash);
  for (std::size_t i = 0; i < kWays; ++i) {
    if (bucket[i].fingerprint == fp && Live(bucket[i])) {
      bucket[i] = Slot{};
      return true;
    }
  }
  return false;
}

}  // namespace cache
