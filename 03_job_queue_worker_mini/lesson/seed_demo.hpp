// `sd-jobqueue demo`: the seed's scenario — 12 jobs, 3 workers, a buffer of 4 — as a printed
// timeline in which the producer visibly blocks when the buffer is full (policy "block") or has
// jobs refused (policy "reject"), then closes the queue and waits for the workers to drain it.
//
// It runs on real threads and real time on purpose: it is the lesson shown to a person. The
// tests make it deterministic by replacing the work with a function that waits on the queue state.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <iosfwd>

#include "03_job_queue_worker_mini/lesson/work_queue.hpp"

namespace lesson {

enum class FullPolicy { kBlock, kReject };

struct DemoOptions {
  int jobs = 12;
  std::size_t workers = 3;
  std::size_t capacity = 4;
  FullPolicy policy = FullPolicy::kBlock;
  // How long a producer may wait for room under kBlock before giving up on a job.
  std::chrono::milliseconds max_block = std::chrono::seconds(10);
  // One job's work. Default: sleep `job_time`. Tests pass a function that waits on the queue's
  // state instead, so nothing depends on timing.
  std::chrono::milliseconds job_time{100};
  std::function<void(int job, const WorkQueue<int>& queue)> work;
};

struct DemoReport {
  int accepted = 0;   // jobs the queue took
  int processed = 0;  // jobs the workers finished (== accepted: drain loses nothing)
  int blocked = 0;    // times the producer found the buffer full and waited
  int rejected = 0;   // jobs refused (kReject) or given up on after max_block (kBlock)
  std::size_t max_depth = 0;
};

// Runs the scenario, printing one line per event to `out` ("  t=  0.100s  producer  ..."), and
// returns the counts. Blocks until the workers have drained the queue.
DemoReport RunSeedDemo(const DemoOptions& options, std::ostream& out);

}  // namespace lesson
