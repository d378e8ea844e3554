// The scale-out JobStore: jobs in one PostgreSQL table shared by any number of sd-jobqueue
// instances, on core/pg's non-blocking pool (a query never blocks a network thread).
//
// Design. A job is a row; its state is 'ready' (delayed while ready_at is in the future),
// 'reserved' (until lease_until) or 'buried'. Reserving is one statement: pick the best row that
// is ready — or reserved with a lease that has passed, which is how lease expiry works with no
// timer anywhere: the reserve compares to now() — `FOR UPDATE SKIP LOCKED`, and mark it reserved.
// SKIP LOCKED is what lets many reservers run at once: each skips rows another transaction is
// taking instead of queueing behind its lock, so two instances never get the same job and never
// wait for each other. A lease is the row's reserve count, checked by every ack/nack/touch/bury.
//
// Waking reservers: a put NOTIFYs channel "jobqueue" with the tube (delivered at commit); each
// store runs one LISTENing connection on a thread of its own and wakes its waiting reserves for
// that tube, which then run the reserve statement again. Delays and lease ends send no
// notification: a waiting reserve sleeps until the earliest of its deadline, the next due
// job of its tubes (one query), and `max_poll` — the safety net for a notification lost while the
// listener reconnects.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <list>
#include <memory>
#include <thread>

#include "03_job_queue_worker_mini/engine/retry_policy.hpp"
#include "03_job_queue_worker_mini/store/job_store.hpp"
#include "core/base/mutex.hpp"
#include "core/pg/pg_pool.hpp"

namespace jobs_store {

class Wakeup;

struct PgJobStoreOptions {
  std::size_t max_job_bytes = 65535;  // larger bodies are refused (kPayloadTooLarge)
  // Most jobs in the table (all instances together); a put past it is refused (kUnavailable).
  // Checked with count(*) in the insert: exact for one instance, approximate under concurrent
  // puts from several (each may see the count just below the bound).
  std::size_t max_jobs = 1'000'000;
  std::chrono::milliseconds min_ttr{1000};   // a smaller TTR is raised to this (beanstalkd's rule)
  jobs::RetryPolicy retry;                   // nack: backoff, then bury
  std::chrono::milliseconds max_poll{1000};  // longest sleep of a waiting reserve without news
};

class PgJobStore final : public JobStore {
 public:
  // `pool` must outlive the store. `listen_conninfo` is where the listener connects (the same
  // database as the pool's); empty: no listener — waiting reserves poll every max_poll.
  PgJobStore(core::pg::PgPool& pool, PgJobStoreOptions options, std::string listen_conninfo);
  // Stop()s.
  ~PgJobStore() override;
  PgJobStore(const PgJobStore&) = delete;
  PgJobStore& operator=(const PgJobStore&) = delete;

  // Creates the table and index if missing (an advisory lock serialises instances starting at
  // once). Errors: kUnavailable, kTimeout, kInternal (a refused DDL).
  core::Task<core::Result<void>> Migrate();
  // Starts the listener thread (idempotent). Stop() ends it; waiting reserves then poll.
  void Start();
  void Stop();

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
  void SetDraining(bool draining) override { draining_ = draining; }
  std::string_view kind() const noexcept override { return "postgres"; }

  // This instance's counters (each instance counts what it did; sum them across instances).
  jobs::EngineCounters Counters() const;
  bool draining() const noexcept { return draining_; }
  // Bytes of job bodies in the table as of the last Stats() (0 before).
  std::size_t last_known_bytes() const noexcept { return last_bytes_; }
  // Notifications the listener received (tests: proof that NOTIFY, not polling, woke a reserve).
  std::uint64_t notifications() const noexcept { return notifications_; }

 private:
  struct Waiting {
    std::shared_ptr<Wakeup> wakeup;
    std::vector<std::string> tubes;
  };
  class Registration;

  // Runs a statement; a refused one becomes kUnavailable (server-side trouble) or kInternal.
  core::Task<core::Result<core::pg::PgResult>> Run(std::string sql,
                                                   std::vector<core::pg::PgParam> params);
  core::Task<core::Result<std::optional<ReservedJob>>> TryReserve(const std::string& tubes);
  // Milliseconds until the next delayed job or lease end of `tubes` (nullopt: none).
  core::Task<core::Result<std::optional<std::int64_t>>> NextDue(const std::string& tubes);
  // An UPDATE of a job held under `lease` (id $1, lease $2, `extra` from $3). kConflict when the
  // job exists but is not held under it, kNotFound when it does not exist.
  core::Task<core::Result<void>> ChangeLeased(std::string set, JobId id, std::uint32_t lease,
                                              std::vector<core::pg::PgParam> extra);
  core::Task<void> Listen();
  void Wake(std::string_view tube);  // "" = everyone

  core::pg::PgPool& pool_;
  const PgJobStoreOptions options_;
  const std::string listen_conninfo_;
  std::atomic<bool> draining_{false};
  std::atomic<std::size_t> last_bytes_{0};
  std::atomic<std::uint64_t> notifications_{0};

#define JOBS_PG_COUNTER(field, suffix, help) std::atomic<std::uint64_t> field##_{0};
  JOBS_ENGINE_COUNTERS(JOBS_PG_COUNTER)
#undef JOBS_PG_COUNTER

  core::Mutex waiting_mu_;
  std::list<Waiting> waiting_ SD_GUARDED_BY(waiting_mu_);

  // The listener: its own one-connection pool, io_context and thread (declared in this order so
  // the io_context, and the coroutine frames it holds, go before the pool). Start and Stop set
  // them under start_mu_; the pool is set before the thread starts and reset after it is joined,
  // so the listener reads it without the lock.
  std::unique_ptr<core::pg::PgPool> listen_pool_;
  std::unique_ptr<boost::asio::io_context> listen_ioc_ SD_GUARDED_BY(start_mu_);
  std::thread listen_thread_ SD_GUARDED_BY(start_mu_);
  std::atomic<bool> stopping_{false};
  core::Mutex start_mu_;
};

}  // namespace jobs_store
