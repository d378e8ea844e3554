// W-TinyLFU's memory of popularity: a Count-Min sketch of 4-bit counters that estimates how often
// each key was accessed recently, including keys no longer (or never) in the cache.
//
// The layout is Caffeine's: 16 counters per 64-bit word, depth 4, and a key's four counters all
// inside one 64-byte block (one cache line) chosen by the hash, so an increment costs one memory
// access rather than four. Estimates never undercount; collisions only inflate them, and the
// minimum over four rows keeps that rare. Counters saturate at 15, and every `sample_size`
// additions all counters are halved ("reset" in the TinyLFU paper): old popularity fades, so a key
// that was hot yesterday cannot keep a key that is hot today out of the cache.
//
// Optionally (the paper's, not Caffeine's default) a doorkeeper Bloom filter takes each key's
// first access in a sample, so one-time keys such as scans never touch, or crowd, the counters.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace cache {

// Not thread-safe: W-TinyLFU uses it under the shard's exclusive lock.
class FrequencySketch {
 public:
  static constexpr int kMaxCount = 15;

  // Starts uninitialised (no table: Increment is a no-op, Frequency is 0), as Caffeine's does, so
  // a cache that never fills never pays for it. With `doorkeeper`, EnsureCapacity also sizes a
  // Bloom filter of 4 bits per sampled addition (5-10 bytes per expected item), 3 probes.
  explicit FrequencySketch(bool doorkeeper = false) : doorkeeper_(doorkeeper) {}

  // Sizes the sketch for about `expected_items` distinct hot keys: a table of
  // bit_ceil(expected_items) words (at least one block of 8), i.e. 16 counters and 8 bytes per
  // item, and ages every 10 x expected_items additions. Only grows: a call that would not enlarge
  // the table does nothing. Growing forgets every count (Caffeine's rule; it happens O(log n)
  // times while a cache warms up). Throws std::bad_alloc like operator new, leaving the sketch as
  // it was.
  void EnsureCapacity(std::size_t expected_items);
  bool initialized() const noexcept { return table_ != nullptr; }

  // Counts one access to the key with this hash (HashKey's 64 bits; remixed inside). Counters at
  // 15 stay there; an access that raised no counter does not count towards the aging sample. With
  // the doorkeeper, a key's first access since the last aging only sets its doorkeeper bits (and
  // does not count towards the sample either: the Caffeine simulator's rule).
  void Increment(std::uint64_t key_hash) noexcept;
  // Estimated accesses, 0..15: never less than the true count since the last aging (halved at
  // each aging), more only when all four of its counters are shared with other keys (or, with the
  // doorkeeper, its probes are all set by others). The doorkeeper adds its one access.
  int Frequency(std::uint64_t key_hash) const noexcept;
  // Halves every counter now and clears the doorkeeper. Increment calls it every sample_size()
  // additions; public so that tests (and an operator wanting to forget history) can age on demand.
  void Age() noexcept;

  std::size_t table_words() const noexcept { return words_; }
  std::size_t sample_size() const noexcept { return sample_size_; }
  // Additions counted towards the next aging.
  std::size_t additions() const noexcept { return additions_; }
  std::uint64_t agings() const noexcept { return agings_; }
  bool has_doorkeeper() const noexcept { return doorkeeper_; }

 private:
  struct alignas(64) Block {
    std::uint64_t words[8];
  };
  // Where a key's four counters live: the block, then per row the word (0..7) and nibble (0..15).
  struct Slots {
    Block* block;
    std::uint8_t word[4];
    std::uint8_t nibble[4];
  };
  Slots Locate(std::uint64_t key_hash) const noexcept;
  // Sets the key's doorkeeper bits; true if they were all set already (seen, or a false positive).
  bool DoorkeeperPut(std::uint64_t key_hash) noexcept;
  bool DoorkeeperContains(std::uint64_t key_hash) const noexcept;

  std::unique_ptr<Block[]> table_;
  std::size_t words_ = 0;
  std::size_t block_mask_ = 0;
  std::size_t sample_size_ = 0;
  std::size_t additions_ = 0;
  std::uint64_t agings_ = 0;
  const bool doorkeeper_;
  std::vector<std::uint64_t> doorkeeper_bits_;  // a power of two of bits
};

}  // namespace cache
