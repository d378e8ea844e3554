// What the engine reports: per job (stats-job), per tube (stats-tube) and overall (stats, and
// the /metrics families). Plain values copied out under the engine's lock.
//
// The cumulative counters are declared once in JOBS_ENGINE_COUNTERS; the struct, the beanstalkd
// stats and the Prometheus families are all derived from that one list (Envoy's stats idiom).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "03_job_queue_worker_mini/engine/job.hpp"

namespace jobs {

// X(field, metric_suffix, help)
#define JOBS_ENGINE_COUNTERS(X)                                                            \
  X(puts, "puts", "Jobs accepted by put/enqueue")                                          \
  X(reserves, "reserves", "Jobs handed out by reserve")                                    \
  X(deletes, "deletes", "Jobs deleted (acknowledged)")                                     \
  X(releases, "releases", "Reserved jobs released back to the queue (nacks, retries)")     \
  X(buries, "buries", "Jobs buried (moved to the dead-letter list)")                       \
  X(kicks, "kicks", "Buried or delayed jobs kicked back to ready")                         \
  X(touches, "touches", "Leases renewed by touch")                                         \
  X(timeouts, "lease_timeouts", "Leases that ran out (TTR) and returned the job to ready") \
  X(rejected_full, "rejected_full", "Puts refused because a job/byte limit was reached")   \
  X(rejected_draining, "rejected_draining", "Puts refused in drain mode")

struct EngineCounters {
#define JOBS_COUNTER_FIELD(field, suffix, help) std::uint64_t field = 0;
  JOBS_ENGINE_COUNTERS(JOBS_COUNTER_FIELD)
#undef JOBS_COUNTER_FIELD
};

struct JobStats {
  JobId id = 0;
  std::string tube;
  JobState state = JobState::kReady;
  std::uint32_t pri = 0;
  std::int64_t age_ns = 0;
  std::int64_t delay_ns = 0;
  std::int64_t ttr_ns = 0;
  std::int64_t time_left_ns = 0;  // reserved or delayed: until the state ends; else 0
  std::uint32_t file = 0;         // the WAL segment of its latest record (0: none)
  std::uint32_t reserves = 0, timeouts = 0, releases = 0, buries = 0, kicks = 0;
};

struct TubeStats {
  std::string name;
  std::size_t urgent = 0, ready = 0, reserved = 0, delayed = 0, buried = 0;
  std::uint64_t total_jobs = 0;
  std::size_t using_count = 0, waiting = 0, watching = 0;
  std::int64_t pause_ns = 0;
  std::uint64_t cmd_delete = 0, cmd_pause = 0;
  std::int64_t pause_left_ns = 0;
};

struct EngineStats {
  std::size_t urgent = 0, ready = 0, reserved = 0, delayed = 0, buried = 0;
  std::size_t jobs = 0;   // all states
  std::size_t bytes = 0;  // held by jobs (header + body)
  std::size_t tubes = 0;
  std::size_t clients = 0, producers = 0, workers = 0, waiting = 0;
  std::size_t held = 0;  // reserved jobs whose lease a connected client holds (not HTTP leases)
  bool draining = false;
  EngineCounters counters;
};

}  // namespace jobs
