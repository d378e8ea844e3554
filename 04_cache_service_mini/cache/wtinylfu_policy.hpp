// W-TinyLFU (Einziger, Friedman, Manes, "TinyLFU: A Highly Efficient Cache Admission Policy",
// ACM ToS 2017), laid out as Caffeine does it:
//
//   new key -> [window LRU, 1% of bytes] -> tail = candidate --duel--> [probation | protected]
//                                                                       main SLRU, 99% of bytes
// A new key enters a small LRU window, which absorbs bursts. When the window is full, its tail (the
// candidate) must earn a place in the main space: it enters only if the FrequencySketch estimates
// it was accessed more often than main's victim (the probation tail); otherwise the candidate is
// the one evicted. A one-hit scan key (frequency 1) thus never displaces a key hit several times.
// Main is a segmented LRU: a hit in probation promotes to protected (80% of main); protected's
// overflow is demoted back to the head of probation.
//
// The cost: a hit increments four 4-bit counters and relinks the item within its LRU list, so,
// like LRU and unlike S3-FIFO and SIEVE, hits need the shard's exclusive lock (ConcurrentHits() is
// false). That is the price of admission by frequency; cache_benchmark's GetHit* measure it.
//
// Byte-aware. The shard evicts *before* it links the new item, so a duel happens while the window
// is full (its bytes plus one more item like its tail would pass its share): the window tail then
// duels the victim. Otherwise the window has room for the newcomer and the victim leaves without a
// duel. With equal-sized items that is exactly Caffeine's order of events; with mixed sizes the
// "one more item like its tail" guess can be wrong by one item. The newcomer itself is never
// refused (a memcached set that fits must be stored); it has its duel when it reaches the window
// tail. Left out of Caffeine's design: the adaptive window (hill climbing), which is what would
// rescue the churn workload, where a fixed 1% window loses to LRU. The paper's doorkeeper is an
// option, off by default as in Caffeine. Memory beyond the items: the sketch, 8-16 bytes per item
// (not charged to the budget, like S3-FIFO's ghost).
#pragma once

#include <cstddef>
#include <cstdint>

#include "04_cache_service_mini/cache/eviction_policy.hpp"
#include "04_cache_service_mini/cache/frequency_sketch.hpp"
#include "04_cache_service_mini/cache/item_list.hpp"

namespace cache {

struct WTinyLfuOptions {
  // Share of the shard's bytes for the LRU window. The published default, 1%; the window keeps
  // at least one item however small its share. Clamped to [0, 1].
  double window_ratio = 0.01;
  // Share of main (the rest) for the protected segment, the published 80%. Clamped to [0, 1].
  double protected_ratio = 0.80;
  // The TinyLFU paper's doorkeeper in front of the sketch; Caffeine ships without it.
  bool doorkeeper = false;
  // Drives the 1-in-128 admission of warm candidates (see kWarmCandidate).
  std::uint64_t seed = 0x7e1eca57;
};

// Thread-compatible; see EvictionPolicy for the locking contract.
class WTinyLfuPolicy final : public EvictionPolicy {
 public:
  // Caffeine's defence against hash flooding: an attacker who makes victims look hot could keep
  // every newcomer out. A candidate this warm that loses its duel is still admitted 1 time in 128.
  static constexpr int kWarmCandidate = 6;

  enum Queue : std::uint8_t { kNone = 0, kWindow = 1, kProbation = 2, kProtected = 3 };

  // capacity_bytes is the shard's budget.
  explicit WTinyLfuPolicy(std::size_t capacity_bytes, const WTinyLfuOptions& options = {});

  std::string_view Name() const noexcept override { return "wtinylfu"; }
  bool ConcurrentHits() const noexcept override { return false; }
  void OnInsert(Item* item, std::uint64_t key_hash) override;
  void OnReplace(Item* old_item, Item* new_item) noexcept override;
  void OnHit(Item* item) noexcept override;
  void OnRemove(Item* item) noexcept override;
  Item* Evict() override;
  void AppendCounters(std::vector<std::pair<std::string, std::uint64_t>>& out) const override;

  // For tests and stats.
  static Queue QueueOf(const Item* item) noexcept { return static_cast<Queue>(item->queue); }
  std::size_t window_bytes() const noexcept { return window_bytes_; }
  std::size_t probation_bytes() const noexcept { return probation_bytes_; }
  std::size_t protected_bytes() const noexcept { return protected_bytes_; }
  std::size_t window_count() const noexcept { return window_.size(); }
  std::size_t probation_count() const noexcept { return probation_.size(); }
  std::size_t protected_count() const noexcept { return protected_.size(); }
  std::size_t window_target() const noexcept { return window_target_; }
  std::size_t protected_target() const noexcept { return protected_target_; }
  const FrequencySketch& sketch() const noexcept { return sketch_; }

 private:
  std::size_t TotalBytes() const noexcept {
    return window_bytes_ + probation_bytes_ + protected_bytes_;
  }
  std::size_t TotalCount() const noexcept {
    return window_.size() + probation_.size() + protected_.size();
  }
  // Counts an access in the sketch (sized lazily, once the shard is half full).
  void Record(std::uint64_t key_hash);
  // Where an access moves the item: window and protected to their heads, probation to protected.
  void Reorder(Item* item) noexcept;
  // Moves window overflow to the head of probation and protected overflow likewise.
  void Rebalance() noexcept;
  bool WindowFull() const noexcept;
  bool Admit(const Item* candidate, const Item* victim) noexcept;
  void Push(Queue queue, Item* item) noexcept;
  void Unlink(Item* item) noexcept;
  std::uint64_t NextRandom() noexcept;

  const std::size_t capacity_bytes_;
  const std::size_t window_target_;
  const std::size_t protected_target_;
  ItemList window_;
  ItemList probation_;
  ItemList protected_;
  std::size_t window_bytes_ = 0;
  std::size_t probation_bytes_ = 0;
  std::size_t protected_bytes_ = 0;
  FrequencySketch sketch_;
  std::uint64_t rng_;

  std::uint64_t admissions_ = 0;  // duels the candidate won: the victim left, it entered main
  std::uint64_t rejections_ = 0;  // duels the candidate lost: it left
  std::uint64_t random_admissions_ = 0;  // of admissions_, won by the 1-in-128 draw
  std::uint64_t promotions_ = 0;         // probation -> protected on a hit
  std::uint64_t demotions_ = 0;          // protected overflow -> probation
  std::uint64_t evictions_ = 0;          // every item Evict returned
};

}  // namespace cache
