// The job engine: tubes, priorities, delays, time-to-run leases, bury/kick, limits. No I/O.
//
// Semantics are beanstalkd's (its doc/protocol.txt), so one engine serves both the beanstalkd
// port and the HTTP API: lower priority first and FIFO within one; a reserved job is leased for
// its TTR and returns to ready when the lease runs out; the last second of a lease is a safety
// margin in which a reserve answers DEADLINE_SOON instead of waiting; buried jobs wait in a FIFO
// (the dead-letter list) until kicked. Unlike beanstalkd it is bounded: a job's size, the number
// of jobs and their bytes are limits, and a put over them is refused (kFull), not queued.
//
// Thread-safety: every public method is thread-safe (one mutex: beanstalkd is single-threaded,
// and the lock is held for microseconds). Time comes from the injected Clock and moves jobs only
// when Tick() runs, so tests drive it with a FakeClock. Waiting reserves end through a callback
// that runs outside the lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "03_job_queue_worker_mini/engine/engine_stats.hpp"
#include "03_job_queue_worker_mini/engine/job.hpp"
#include "03_job_queue_worker_mini/engine/job_heap.hpp"
#include "03_job_queue_worker_mini/engine/job_table.hpp"
#include "03_job_queue_worker_mini/engine/journal.hpp"
#include "03_job_queue_worker_mini/engine/tube.hpp"
#include "core/base/clock.hpp"
#include "core/base/mutex.hpp"

namespace jobs {

struct EngineOptions {
  // Largest body (beanstalkd -z; its default is 65535).
  std::size_t max_job_bytes = 65535;
  // Most jobs held at once, in any state. A put past it is refused.
  std::size_t max_jobs = 1'000'000;
  // Most bytes held by jobs (header + body). A put past it is refused.
  std::size_t max_total_bytes = std::size_t{1} << 30;
  // Most tubes at once: every tube costs memory and a client can name any number of them.
  std::size_t max_tubes = 10'000;
  // Shortest lease: a smaller TTR is raised to this (beanstalkd raises 0 to 1 s).
  core::Clock::duration min_ttr = std::chrono::seconds(1);
  // The end of a lease in which reserve answers DEADLINE_SOON rather than wait (beanstalkd: 1 s).
  core::Clock::duration safety_margin = std::chrono::seconds(1);
};

enum class Status {
  kOk,
  kNotFound,      // no such job/tube, or the job is not in a state (or lease) that allows this
  kJobTooBig,     // body over max_job_bytes
  kFull,          // over max_jobs or max_total_bytes: try later (beanstalkd: OUT_OF_MEMORY)
  kDraining,      // drain mode: no new jobs
  kNotIgnored,    // ignoring the only watched tube
  kBadName,       // not a valid tube name
  kTooManyTubes,  // max_tubes reached (beanstalkd: OUT_OF_MEMORY)
};

// Whether a name is a valid tube name: 1..200 bytes of [A-Za-z0-9-+/;.$_()], not starting with
// '-' (beanstalkd's rule).
bool IsValidTubeName(std::string_view name) noexcept;

struct PutRequest {
  std::uint32_t pri = 0;
  core::Clock::duration delay{0};
  core::Clock::duration ttr = std::chrono::seconds(60);
  std::string_view body;
  JobId id = 0;  // 0: allocate one; else an id from AllocateId()
};

struct PutResult {
  Status status = Status::kOk;
  JobId id = 0;
  Lsn lsn = 0;
};

struct Result {
  Status status = Status::kOk;
  Lsn lsn = 0;
};

enum class ReserveEnd { kReserved, kDeadlineSoon, kTimedOut, kWaiting };

struct ReserveResult {
  ReserveEnd end = ReserveEnd::kTimedOut;
  JobCopy job;  // when kReserved
};

// Who may act on a reserved job: the client that holds its lease, or (HTTP, no connection) anyone
// who quotes the lease number reserve returned — so a worker whose lease expired and was handed
// to someone else cannot delete the new holder's job.
struct LeaseHolder {
  ClientId client = 0;
  std::optional<std::uint32_t> lease;
};

// A job read back from the write-ahead log at start-up.
struct RestoredJob {
  JobId id = 0;
  std::string tube;
  std::uint32_t pri = 0;
  JobState state = JobState::kReady;    // ready, delayed or buried
  core::Clock::duration delay_left{0};  // delayed: time until ready
  core::Clock::duration delay{0};       // the delay last given (stats)
  core::Clock::duration ttr = std::chrono::seconds(60);
  std::string body;
  std::uint32_t reserves = 0, timeouts = 0, releases = 0, buries = 0, kicks = 0;
  std::uint32_t log_segment = 0;
};

class Engine {
 public:
  // `clock` and `journal` (optional) must outlive the engine.
  explicit Engine(EngineOptions options, const core::Clock& clock, Journal* journal = nullptr);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const EngineOptions& options() const noexcept { return options_; }

  // --- clients: a beanstalkd connection, or one HTTP request ---
  // A new client using and watching "default".
  ClientId Connect();
  // Ends a client: cancels its waiting reserve (the callback is dropped, not called) and returns
  // its reserved jobs to ready — or, with `keep_leases` (HTTP), leaves them reserved until their
  // TTR runs out. Unknown ids are ignored.
  void Disconnect(ClientId client, bool keep_leases = false);
  Status Use(ClientId client, std::string_view tube);
  // The number of watched tubes after the change, or kBadName / kTooManyTubes / kNotIgnored.
  Status Watch(ClientId client, std::string_view tube, std::size_t* watching);
  Status Ignore(ClientId client, std::string_view tube, std::size_t* watching);
  std::string UsedTube(ClientId client) const;
  std::vector<std::string> WatchedTubes(ClientId client) const;

  // --- producing ---
  // A fresh job id. beanstalkd spends the id when it reads a put line, before the body, so the
  // beanstalkd port calls this early to number jobs exactly as beanstalkd does.
  JobId AllocateId();
  // Adds a job to the client's used tube: ready, or delayed by `delay`. Wakes a waiting reserve.
  PutResult Put(ClientId client, const PutRequest& request);

  // --- consuming ---
  // Reserves the best ready job of the client's watched, unpaused tubes. If none: with
  // `timeout` == 0, kTimedOut; otherwise kWaiting, and `on_wait` will be called exactly once
  // (reserved, timed out after `timeout` — nullopt: never — or deadline soon) unless the client
  // disconnects first. kDeadlineSoon at once if one of its leases is in the safety margin and
  // nothing is ready. A client waits at most once at a time (a second wait replaces the first).
  ReserveResult Reserve(ClientId client, std::optional<core::Clock::duration> timeout,
                        WaitCallback on_wait);
  // Reserves this job (ready, delayed or buried) for the client (beanstalkd's reserve-job).
  ReserveResult ReserveJob(ClientId client, JobId id);
  // Removes a job: a reserved one only by its holder; ready, delayed and buried ones by anyone —
  // unless `who` quotes a lease, which then must be the job's current one.
  Result Delete(const LeaseHolder& who, JobId id);
  // Returns a reserved job to ready (or delayed by `delay`) with a new priority.
  Result Release(const LeaseHolder& who, JobId id, std::uint32_t pri, core::Clock::duration delay);
  // Moves a reserved job to its tube's buried list with a new priority.
  Result Bury(const LeaseHolder& who, JobId id, std::uint32_t pri);
  // Restarts a reserved job's lease (TTR from now).
  Result Touch(const LeaseHolder& who, JobId id);
  // Moves up to `bound` jobs of the used tube to ready: buried ones if any, else delayed ones.
  std::size_t Kick(ClientId client, std::size_t bound, Lsn* lsn = nullptr);
  // Same in a named tube (HTTP). kNotFound if the tube does not exist.
  Status KickTube(std::string_view tube, std::size_t bound, std::size_t* kicked, Lsn* lsn);
  // Moves one buried or delayed job to ready.
  Result KickJob(JobId id);

  // --- inspecting ---
  std::optional<JobCopy> Peek(JobId id) const;
  std::optional<JobCopy> PeekReady(ClientId client) const;
  std::optional<JobCopy> PeekDelayed(ClientId client) const;
  std::optional<JobCopy> PeekBuried(ClientId client) const;
  std::optional<JobStats> StatsJob(JobId id) const;
  std::optional<TubeStats> StatsTube(std::string_view tube) const;
  std::vector<TubeStats> StatsAllTubes() const;
  EngineStats Stats() const;
  // Tube names in beanstalkd's order (creation order, a removed tube's slot taken by the last).
  std::vector<std::string> ListTubes() const;
  // No job is reserved from this tube for `delay` (at least 1 ns; beanstalkd's pause-tube).
  Status PauseTube(std::string_view tube, core::Clock::duration delay);

  // --- time and lifecycle ---
  // Applies the passage of time: delayed jobs whose time has come and paused tubes whose pause
  // ended become reservable, expired leases return to ready, waiting reserves time out or hear
  // DEADLINE_SOON, then the journal's upkeep runs. The server calls it every few milliseconds.
  void Tick();
  // Drain mode: puts are refused with kDraining; everything else works.
  void SetDraining(bool draining);
  bool draining() const;
  // Recovery (before serving): adds a job read from the log. kBadName, kFull or kJobTooBig if
  // the record does not fit this configuration (the caller logs and skips it).
  Status Restore(const RestoredJob& job);
  // Recovery: ids from now on are above `id` (a deleted job's id is never handed out again).
  void EnsureNextIdAbove(JobId id);

 private:
  struct Wake {
    WaitCallback callback;
    WaitResult result;
  };
  using Wakes = std::vector<Wake>;

  std::int64_t NowNs() const noexcept;
  Client* FindClient(ClientId id) const SD_REQUIRES(mu_);
  Tube* FindTube(std::string_view name) const SD_REQUIRES(mu_);
  Status FindOrMakeTube(std::string_view name, Tube** tube) SD_REQUIRES(mu_);
  void MaybeDropTube(Tube* tube) SD_REQUIRES(mu_);
  void AddWatch(Client& c, Tube* t) SD_REQUIRES(mu_);
  void RemoveWatch(Client& c, std::size_t index) SD_REQUIRES(mu_);

  void EnqueueLocked(Job* job, std::int64_t delay_ns, std::int64_t now) SD_REQUIRES(mu_);
  void MakeReadyLocked(Job* job) SD_REQUIRES(mu_);
  void ReserveForLocked(Client& c, Job* job, std::int64_t now) SD_REQUIRES(mu_);
  void UnreserveLocked(Job* job) SD_REQUIRES(mu_);
  Job* LeasedJobLocked(const LeaseHolder& who, JobId id) const SD_REQUIRES(mu_);
  void BuryLocked(Job* job) SD_REQUIRES(mu_);
  // Out of whatever heap or list it is in; does not free.
  void RemoveLocked(Job* job) SD_REQUIRES(mu_);
  void FreeLocked(Job* job) SD_REQUIRES(mu_);
  bool KickOneLocked(Job* job, std::int64_t now, Lsn* lsn) SD_REQUIRES(mu_);
  std::size_t KickLocked(Tube& t, std::size_t bound, Lsn* lsn) SD_REQUIRES(mu_);

  bool PausedLocked(const Tube& t, std::int64_t now) const noexcept SD_REQUIRES(mu_);
  bool DeadlineSoonLocked(const Client& c, std::int64_t now) const SD_REQUIRES(mu_);
  Job* BestReadyLocked(const Client& c, std::int64_t now) const SD_REQUIRES(mu_);
  void StartWaitLocked(Client& c, std::optional<core::Clock::duration> timeout,
                       WaitCallback on_wait, std::int64_t now) SD_REQUIRES(mu_);
  void StopWaitLocked(Client& c) SD_REQUIRES(mu_);
  void EndWaitLocked(Client& c, WaitResult result, Wakes& wakes) SD_REQUIRES(mu_);
  // Hands ready jobs of `t` to its waiting clients while both exist.
  void ServeWaitersLocked(Tube& t, std::int64_t now, Wakes& wakes) SD_REQUIRES(mu_);
  static JobCopy CopyOf(const Job& job);
  static void RunWakes(Wakes& wakes);

  TubeStats TubeStatsLocked(const Tube& t, std::int64_t now) const SD_REQUIRES(mu_);

  const EngineOptions options_;
  const core::Clock& clock_;
  Journal* const journal_;

  // Also guards every Job, Tube and Client the engine owns.
  mutable core::Mutex mu_;
  JobTable jobs_ SD_GUARDED_BY(mu_);
  std::map<std::string, std::unique_ptr<Tube>, std::less<>> tubes_ SD_GUARDED_BY(mu_);
  std::vector<Tube*> tube_order_ SD_GUARDED_BY(mu_);
  std::map<ClientId, std::unique_ptr<Client>> clients_ SD_GUARDED_BY(mu_);
  std::vector<Client*> waiting_ SD_GUARDED_BY(mu_);  // clients in a waiting reserve
  JobHeap<ByDeadline> leases_ SD_GUARDED_BY(mu_);    // every reserved job, by lease end
  Tube* default_tube_ SD_GUARDED_BY(mu_) = nullptr;
  JobId next_id_ SD_GUARDED_BY(mu_) = 1;
  ClientId next_client_ SD_GUARDED_BY(mu_) = 1;
  bool draining_ SD_GUARDED_BY(mu_) = false;
  std::size_t bytes_ SD_GUARDED_BY(mu_) = 0;
  std::size_t urgent_ SD_GUARDED_BY(mu_) = 0;
  std::size_t ready_ SD_GUARDED_BY(mu_) = 0;
  std::size_t delayed_ SD_GUARDED_BY(mu_) = 0;
  std::size_t reserved_ SD_GUARDED_BY(mu_) = 0;
  std::size_t buried_ SD_GUARDED_BY(mu_) = 0;
  EngineCounters counters_ SD_GUARDED_BY(mu_);
};

}  // namespace jobs
