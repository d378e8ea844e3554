// The seam between sd-jobqueue's HTTP API and where jobs live: the commands of the HTTP contract
// (put, reserve with a long poll, ack/nack/touch/bury under a lease, kick, delete, stats) as
// coroutines returning values or errors. Two implementations: EngineJobStore (the in-memory
// engine plus its write-ahead log, one process) and PgJobStore (a table in PostgreSQL shared by
// any number of sd-jobqueue instances). The HTTP layer only translates JSON; the rules live here.
//
// Errors (core::Code): kInvalidArgument (bad tube name), kPayloadTooLarge (body over the limit),
// kUnavailable (full, draining, or the database is away: try again later), kTimeout (the database
// did not answer in time), kNotFound (no such job or tube), kConflict (the job exists but is not
// held under this lease, or is reserved and cannot be deleted).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "03_job_queue_worker_mini/engine/engine_stats.hpp"
#include "03_job_queue_worker_mini/engine/job.hpp"
#include "core/async/task.hpp"
#include "core/base/error.hpp"

namespace jobs_store {

using jobs::JobId;

struct NewJob {
  std::string tube;
  std::uint32_t pri = 1024;
  std::chrono::milliseconds delay{0};
  std::chrono::milliseconds ttr{60'000};
  std::string body;
};

struct Enqueued {
  JobId id = 0;
  bool delayed = false;
};

struct ReservedJob {
  JobId id = 0;
  std::string tube;
  std::string body;
  std::uint32_t lease = 0;  // the job's reserve count: also the attempt number
  std::int64_t ttr_ms = 0;
};

struct NackOutcome {
  bool buried = false;
  std::chrono::milliseconds retry_in{0};  // when not buried
  std::uint32_t attempts = 0;
};

class JobStore {
 public:
  virtual ~JobStore() = default;

  // Adds a job, ready or delayed. Acknowledged only once durable (per the store's durability).
  virtual core::Task<core::Result<Enqueued>> Put(NewJob job) = 0;
  // Reserves the best ready job (lowest priority, then oldest) of `tubes` — a job whose lease
  // ran out counts as ready — waiting up to `timeout` for one. nullopt: none in time.
  virtual core::Task<core::Result<std::optional<ReservedJob>>> Reserve(
      std::vector<std::string> tubes, std::chrono::milliseconds timeout) = 0;
  // Deletes a job held under `lease`.
  virtual core::Task<core::Result<void>> Ack(JobId id, std::uint32_t lease) = 0;
  // A failed attempt: back to the queue after the retry policy's backoff, or buried once the
  // attempts are used up.
  virtual core::Task<core::Result<NackOutcome>> Nack(JobId id, std::uint32_t lease) = 0;
  // Restarts the lease (TTR from now).
  virtual core::Task<core::Result<void>> Touch(JobId id, std::uint32_t lease) = 0;
  // Moves a held job to its tube's dead-letter list.
  virtual core::Task<core::Result<void>> Bury(JobId id, std::uint32_t lease) = 0;
  // Moves up to `bound` buried jobs of `tube` (or, if none is buried, delayed ones) to ready.
  virtual core::Task<core::Result<std::size_t>> Kick(std::string tube, std::size_t bound) = 0;
  // Deletes a job that is not reserved.
  virtual core::Task<core::Result<void>> Delete(JobId id) = 0;
  virtual core::Task<core::Result<jobs::JobStats>> Job(JobId id) = 0;
  virtual core::Task<core::Result<jobs::TubeStats>> Tube(std::string tube) = 0;
  virtual core::Task<core::Result<jobs::EngineStats>> Stats() = 0;

  // Drain mode: puts fail with kUnavailable ("draining"), everything else works. Thread-safe.
  virtual void SetDraining(bool draining) = 0;
  virtual std::string_view kind() const noexcept = 0;
};

}  // namespace jobs_store
