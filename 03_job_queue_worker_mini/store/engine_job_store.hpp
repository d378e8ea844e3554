// The in-process JobStore: jobs::Engine (one mutex, microsecond operations) with, optionally, its
// write-ahead log. A reply that reports a change waits until the log has it durable (per --fsync),
// exactly as on the beanstalkd port; a waiting reserve is an engine callback that resumes the
// coroutine on its own executor (wakeup.hpp).
#pragma once

#include "03_job_queue_worker_mini/engine/engine.hpp"
#include "03_job_queue_worker_mini/engine/retry_policy.hpp"
#include "03_job_queue_worker_mini/store/job_store.hpp"
#include "03_job_queue_worker_mini/wal/wal.hpp"

namespace jobs_store {

class EngineJobStore final : public JobStore {
 public:
  // `engine` and `log` (optional) must outlive the store. Thread-safe.
  EngineJobStore(jobs::Engine& engine, wal::Wal* log, jobs::RetryPolicy retry)
      : engine_(engine), log_(log), retry_(retry) {}

  core::Task<core::Result<Enqueued>> Put(NewJob job) override;
  core::Task<core::Result<std::optional<ReservedJob>>> Reserve(
      std::vector<std::string> tubes, std::chrono::milliseconds timeout) override;
  core::Task<core::Result<void>> Ack(JobId id, std::uint32_t lease) override;
  core::Task<core::Result<NackOutcome>> Nack(JobId id, std::uint32_t lease) override;
  core::Task<core::Result<void>> Touch(JobId id, std::uint32_t lease) override;
  core::Task<core::Result<void>> Bury(JobId id, std::uint32_t lease) override;
  core::Task<core::Result<std::size_t>> Kick(std::string tube, std::size_t bound) override;
  core::Task<core::Result<void>> Delete(JobId id) override;
  core::Task<core::Result<jobs::JobStats>> Job(JobId id) override;
  core::Task<core::Result<jobs::TubeStats>> Tube(std::string tube) override;
  core::Task<core::Result<jobs::EngineStats>> Stats() override;
  void SetDraining(bool draining) override { engine_.SetDraining(draining); }
  std::string_view kind() const noexcept override { return "memory"; }

 private:
  // Waits until `lsn` is durable per --fsync (at once without a log).
  core::Task<void> Durable(jobs::Lsn lsn);
  // The failure for a lease-guarded command the engine refused: kConflict if the job exists
  // (its lease is not this one), else kNotFound.
  core::Error LeaseError(JobId id) const;

  jobs::Engine& engine_;
  wal::Wal* const log_;
  const jobs::RetryPolicy retry_;
};

}  // namespace jobs_store
