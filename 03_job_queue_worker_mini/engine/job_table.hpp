// Job id → job: an open-addressing hash table (linear probing, backward-shift deletion).
//
// 8 bytes per slot at a load factor of at most 1/2, so ~16 bytes per job, against ~40 for a
// std::unordered_map node plus its bucket. Ids are sequential, so a multiplicative hash spreads
// them well. No tombstones: deletion shifts the following cluster back, so a table that churns
// through millions of jobs never degrades.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "03_job_queue_worker_mini/engine/job.hpp"

namespace jobs {

// Not thread-safe (the engine's lock guards it). Holds pointers it does not own.
class JobTable {
 public:
  JobTable();

  std::size_t size() const noexcept { return size_; }
  // The job with this id, or nullptr.
  Job* Find(JobId id) const noexcept;
  // Adds `job`; its id must not be present.
  void Insert(Job* job);
  // Removes the job with this id if present.
  void Erase(JobId id) noexcept;
  // Calls fn(Job*) for every job (order unspecified). `fn` must not insert or erase.
  template <class Fn>
  void ForEach(Fn&& fn) const {
    for (Job* j : slots_) {
      if (j != nullptr) fn(j);
    }
  }

 private:
  std::size_t SlotOf(JobId id) const noexcept {
    return static_cast<std::size_t>((id * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  void Grow();

  std::vector<Job*> slots_;
  std::size_t size_ = 0;
  unsigned shift_;  // 64 - log2(slots)
};

}  // namespace jobs
