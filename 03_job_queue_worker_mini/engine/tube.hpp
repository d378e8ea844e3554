// A tube (named queue) and a client (one beanstalkd connection, or one HTTP long poll), as the
// engine keeps them. Plain data; the engine's lock guards every field.
//
// A tube holds a ready heap (priority, then FIFO), a delayed heap (by ready-at) and a FIFO of
// buried jobs (the dead-letter list). It exists while a client uses or watches it or it holds a
// job, like beanstalkd's; "default" always exists.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "03_job_queue_worker_mini/engine/job.hpp"
#include "03_job_queue_worker_mini/engine/job_heap.hpp"

namespace jobs {

// A FIFO of jobs threaded through Job::prev/next. Not owning.
struct JobList {
  Job* head = nullptr;
  Job* tail = nullptr;
  std::size_t size = 0;

  void PushBack(Job* job) noexcept {
    job->prev = tail;
    job->next = nullptr;
    (tail != nullptr ? tail->next : head) = job;
    tail = job;
    ++size;
  }
  void Remove(Job* job) noexcept {
    (job->prev != nullptr ? job->prev->next : head) = job->next;
    (job->next != nullptr ? job->next->prev : tail) = job->prev;
    job->prev = job->next = nullptr;
    --size;
  }
};

inline constexpr std::uint32_t kUrgentPriority = 1024;  // pri below this counts as "urgent"

struct Tube {
  std::string name;
  JobHeap<ByPriority> ready;
  JobHeap<ByDeadline> delayed;
  JobList buried;
  std::size_t reserved = 0;
  std::size_t urgent = 0;  // ready jobs with pri < kUrgentPriority
  std::uint64_t total_jobs = 0;
  std::uint64_t cmd_delete = 0;
  std::uint64_t cmd_pause = 0;
  std::int64_t pause_ns = 0;       // the last pause-tube duration
  std::int64_t unpause_at_ns = 0;  // paused while now < this
  std::size_t using_count = 0;
  std::size_t watching_count = 0;
  std::vector<Client*> waiting;  // clients blocked in reserve that watch this tube, oldest first

  std::size_t jobs() const noexcept {
    return ready.size() + delayed.size() + buried.size + reserved;
  }
};

// What a waiting reserve ends with.
enum class WaitEnd { kReserved, kTimedOut, kDeadlineSoon };

// A job as handed out by reserve and peek: a copy, safe to use after the engine's lock is gone.
struct JobCopy {
  JobId id = 0;
  std::uint32_t lease = 0;  // the job's reserve count when copied: HTTP clients quote it back
  std::string body;
};

struct WaitResult {
  WaitEnd end = WaitEnd::kTimedOut;
  JobCopy job;  // when end == kReserved
};

// Called once when a waiting reserve ends, outside the engine's lock, on whichever thread ended
// it (a put, a release, the tick). Must be thread-safe and cheap: post to the client's executor.
using WaitCallback = std::function<void(WaitResult)>;

inline constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

struct Client {
  ClientId id = 0;
  Tube* use = nullptr;
  std::vector<Tube*> watch;
  JobList reserved;
  bool waiting = false;
  std::int64_t wait_deadline_ns = kNever;
  WaitCallback on_wait;
  bool producer = false;  // has put at least once (stats: current-producers)
  bool worker = false;    // has reserved at least once (stats: current-workers)
};

}  // namespace jobs
