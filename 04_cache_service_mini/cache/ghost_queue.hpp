// S3-FIFO's ghost FIFO: the hashes of keys recently evicted from the small queue, without their
// data. A key that comes back while still remembered was evicted too early and goes straight to the
// main queue.
//
// Stored the way the S3-FIFO authors suggest, as part of a bucketed hash table rather than a linked
// queue: each entry is a 32-bit fingerprint plus its insertion "time" counted in ghost insertions.
// An entry is in the FIFO while fewer than `capacity` insertions happened after it, so FIFO order
// costs nothing to maintain, stale entries need no removal, and the capacity may change at any
// time. 8 bytes per slot, 2 slots per remembered key; a 4-way bucket overwrites its oldest entry.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace cache {

// Not thread-safe (used under the shard's exclusive lock).
class GhostQueue {
 public:
  // Remembers at most `capacity` of the latest insertions; grows its table when needed (dropping
  // what it remembered, which only costs a few early promotions). Allocates nothing before the
  // first Insert.
  void SetCapacity(std::size_t capacity);
  std::size_t capacity() const noexcept { return capacity_; }

  void Insert(std::uint64_t key_hash);
  // True if key_hash is among the last `capacity` insertions; forgets it in that case.
  bool Take(std::uint64_t key_hash) noexcept;

 private:
  struct Slot {
    std::uint32_t fingerprint = 0;  // 0 = empty
    std::uint32_t stamp = 0;        // value of clock_ when inserted
  };
  static constexpr std::size_t kWays = 4;

  static std::uint32_t Fingerprint(std::uint64_t key_hash) noexcept;
  std::size_t BucketOf(std::uint64_t key_hash) const noexcept;
  bool Live(const Slot& slot) const noexcept;
  void Reserve();

  std::vector<Slot> slots_;
  std::size_t capacity_ = 0;
  std::uint32_t clock_ = 0;
};

}  // namespace cache
