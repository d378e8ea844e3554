// An indexed binary min-heap of jobs: O(log n) push, pop and removal of any job.
//
// Every job records its own position (Job::heap_index), so deleting, burying or kicking a job in
// the middle of a queue does not scan it (beanstalkd's heap does the same). A job is in at most
// one heap at a time — ready, delayed or leased — which is why one index field is enough.
// Ready queues order by (priority, id): lower priority first, then FIFO, since ids only grow.
// Delayed and leased jobs order by (deadline, id).
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "03_job_queue_worker_mini/engine/job.hpp"

namespace jobs {

struct ByPriority {
  bool operator()(const Job* a, const Job* b) const noexcept {
    return a->pri != b->pri ? a->pri < b->pri : a->id < b->id;
  }
};

struct ByDeadline {
  bool operator()(const Job* a, const Job* b) const noexcept {
    return a->deadline_ns != b->deadline_ns ? a->deadline_ns < b->deadline_ns : a->id < b->id;
  }
};

// Not thread-safe (the engine's lock guards it). Holds pointers it does not own.
template <class Less>
class JobHeap {
 public:
  bool empty() const noexcept { return items_.empty(); }
  std::size_t size() const noexcept { return items_.size(); }
  // The least job, or nullptr.
  Job* Top() const noexcept { return items_.empty() ? nullptr : items_.front(); }
  // Item i in heap order (for scans such as kick and compaction).
  Job* At(std::size_t i) const noexcept { return items_[i]; }

  void Push(Job* job) {
    items_.push_back(job);
    job->heap_index = static_cast<std::uint32_t>(items_.size() - 1);
    Up(items_.size() - 1);
  }

  // Removes and returns the least job, or nullptr.
  Job* Pop() {
    if (items_.empty()) return nullptr;
    Job* top = items_.front();
    Remove(top);
    return top;
  }

  // Removes `job`, which must be in this heap.
  void Remove(Job* job) {
    const std::size_t i = job->heap_index;
    Job* last = items_.back();
    items_.pop_back();
    if (i == items_.size()) return;  // it was the last one
    items_[i] = last;
    last->heap_index = static_cast<std::uint32_t>(i);
    // The moved job may belong above or below its new place.
    if (i > 0 && Less()(last, items_[(i - 1) / 2])) {
      Up(i);
    } else {
      Down(i);
    }
  }

  // True if `job` is the item at its recorded index (it is in this heap).
  bool Contains(const Job* job) const noexcept {
    return job->heap_index < items_.size() && items_[job->heap_index] == job;
  }

 private:
  void Up(std::size_t i) {
    Job* job = items_[i];
    while (i > 0) {
      const std::size_t parent = (i - 1) / 2;
      if (!Less()(job, items_[parent])) break;
      Place(i, items_[parent]);
      i = parent;
    }
    Place(i, job);
  }

  void Down(std::size_t i) {
    Job* job = items_[i];
    const std::size_t n = items_.size();
    for (;;) {
      std::size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && Less()(items_[child + 1], items_[child])) ++child;
      if (!Less()(items_[child], job)) break;
      Place(i, items_[child]);
      i = child;
    }
    Place(i, job);
  }

  void Place(std::size_t i, Job* job) {
    items_[i] = job;
    job->heap_index = static_cast<std::uint32_t>(i);
  }

  std::vector<Job*> items_;
};

}  // namespace jobs
