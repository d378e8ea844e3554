// Commands on existing jobs (delete, release, bury, touch, kick), inspection, time, recovery.
#include <algorithm>
#include <utility>

#include "03_job_queue_worker_mini/engine/engine.hpp"

namespace jobs {

namespace {
std::int64_t Ns(core::Clock::duration d) noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}
}  // namespace

void Engine::RemoveLocked(Job* j) {
  Tube& t = *j->tube;
  switch (j->state) {
    case JobState::kReady:
      t.ready.Remove(j);
      --ready_;
      if (j->pri < kUrgentPriority) {
        --urgent_;
        --t.urgent;
      }
      break;
    case JobState::kDelayed:
      t.delayed.Remove(j);
      --delayed_;
      break;
    case JobState::kBuried:
      t.buried.Remove(j);
      --buried_;
      break;
    case JobState::kReserved:
      UnreserveLocked(j);
      break;
  }
}

void Engine::UnreserveLocked(Job* j) {
  leases_.Remove(j);
  if (j->owner != nullptr) j->owner->reserved.Remove(j);
  j->owner = nullptr;
  --j->tube->reserved;
  --reserved_;
}

void Engine::FreeLocked(Job* j) {
  Tube* t = j->tube;
  jobs_.Erase(j->id);
  bytes_ -= j->footprint();
  JobDeleter()(j);
  MaybeDropTube(t);
}

Job* Engine::LeasedJobLocked(const LeaseHolder& who, JobId id) const {
  Job* j = jobs_.Find(id);
  if (j == nullptr || j->state != JobState::kReserved) return nullptr;
  if (who.lease) return j->reserves == *who.lease ? j : nullptr;
  return j->owner != nullptr && j->owner->id == who.client ? j : nullptr;
}

Result Engine::Delete(const LeaseHolder& who, JobId id) {
  Result result;
  core::MutexLock lock(mu_);
  Job* j = jobs_.Find(id);
  // Quoting a lease (an HTTP ack) means "I finished the job I hold": only a reserved job under
  // that lease. Otherwise beanstalkd's rule: reserved jobs by their holder, others by anyone.
  const bool needs_lease =
      who.lease.has_value() || (j != nullptr && j->state == JobState::kReserved);
  if (j == nullptr || (needs_lease && LeasedJobLocked(who, id) == nullptr)) {
    result.status = Status::kNotFound;
    return result;
  }
  RemoveLocked(j);
  ++j->tube->cmd_delete;
  ++counters_.deletes;
  if (journal_ != nullptr) result.lsn = journal_->Delete(*j);
  FreeLocked(j);
  return result;
}

Result Engine::Release(const LeaseHolder& who, JobId id, std::uint32_t pri,
                       core::Clock::duration delay) {
  Result result;
  Wakes wakes;
  {
    core::MutexLock lock(mu_);
    Job* j = LeasedJobLocked(who, id);
    if (j == nullptr) {
      result.status = Status::kNotFound;
      return result;
    }
    const std::int64_t now = NowNs();
    UnreserveLocked(j);
    j->pri = pri;
    j->delay_ns = std::max<std::int64_t>(0, Ns(delay));
    ++j->releases;
    ++counters_.releases;
    EnqueueLocked(j, j->delay_ns, now);
    if (journal_ != nullptr) result.lsn = journal_->Update(*j, now);
    ServeWaitersLocked(*j->tube, now, wakes);
  }
  RunWakes(wakes);
  return result;
}

void Engine::BuryLocked(Job* j) {
  j->state = JobState::kBuried;
  j->tube->buried.PushBack(j);
  ++buried_;
  ++j->buries;
  ++counters_.buries;
}

Result Engine::Bury(const LeaseHolder& who, JobId id, std::uint32_t pri) {
  Result result;
  core::MutexLock lock(mu_);
  Job* j = LeasedJobLocked(who, id);
  if (j == nullptr) {
    result.status = Status::kNotFound;
    return result;
  }
  UnreserveLocked(j);
  j->pri = pri;
  BuryLocked(j);
  if (journal_ != nullptr) result.lsn = journal_->Update(*j, NowNs());
  return result;
}

Result Engine::Touch(const LeaseHolder& who, JobId id) {
  Result result;
  core::MutexLock lock(mu_);
  Job* j = LeasedJobLocked(who, id);
  if (j == nullptr) {
    result.status = Status::kNotFound;
    return result;
  }
  leases_.Remove(j);
  j->deadline_ns = NowNs() + j->ttr_ns;
  leases_.Push(j);
  ++counters_.touches;
  return result;
}

bool Engine::KickOneLocked(Job* j, std::int64_t now, Lsn* lsn) {
  if (j->state != JobState::kBuried && j->state != JobState::kDelayed) return false;
  RemoveLocked(j);
  ++j->kicks;
  ++counters_.kicks;
  MakeReadyLocked(j);
  if (journal_ != nullptr) {
    const Lsn l = journal_->Update(*j, now);
    if (lsn != nullptr) *lsn = l;
  }
  return true;
}

std::size_t Engine::KickLocked(Tube& t, std::size_t bound, Lsn* lsn) {
  const std::int64_t now = NowNs();
  std::size_t kicked = 0;
  if (t.buried.size > 0) {
    while (kicked < bound && t.buried.head != nullptr)
      kicked += KickOneLocked(t.buried.head, now, lsn);
  } else {
    while (kicked < bound && !t.delayed.empty()) kicked += KickOneLocked(t.delayed.Top(), now, lsn);
  }
  return kicked;
}

std::size_t Engine::Kick(ClientId id, std::size_t bound, Lsn* lsn) {
  std::size_t kicked = 0;
  Wakes wakes;
  {
    core::MutexLock lock(mu_);
    Client* c = FindClient(id);
    if (c == nullptr) return 0;
    kicked = KickLocked(*c->use, bound, lsn);
    ServeWaitersLocked(*c->use, NowNs(), wakes);
  }
  RunWakes(wakes);
  return kicked;
}

Status Engine::KickTube(std::string_view name, std::size_t bound, std::size_t* kicked, Lsn* lsn) {
  Wakes wakes;
  {
    core::MutexLock lock(mu_);
    Tube* t = FindTube(name);
    if (t == nullptr) return Status::kNotFound;
    *kicked = KickLocked(*t, bound, lsn);
    ServeWaitersLocked(*t, NowNs(), wakes);
  }
  RunWakes(wakes);
  return Status::kOk;
}

Result Engine::KickJob(JobId id) {
  Result result;
  Wakes wakes;
  {
    core::MutexLock lock(mu_);
    Job* j = jobs_.Find(id);
    const std::int64_t now = NowNs();
    if (j == nullptr || !KickOneLocked(j, now, &result.lsn)) {
      result.status = Status::kNotFound;
      return result;
    }
    ServeWaitersLocked(*j->tube, now, wakes);
  }
  RunWakes(wakes);
  return result;
}

ReserveResult Engine::ReserveJob(ClientId id, JobId job_id) {
  ReserveResult result;
  core::MutexLock lock(mu_);
  Client* c = FindClient(id);
  Job* j = jobs_.Find(job_id);
  if (c == nullptr || j == nullptr || j->state == JobState::kReserved) return result;
  const std::int64_t now = NowNs();
  const bool was_parked = j->state != JobState::kReady;
  ReserveForLocked(*c, j, now);
  // A buried or delayed job reserved directly is ready after a restart (the log's view of a
  // reserved job), so its state change is logged like a kick.
  if (was_parked && journal_ != nullptr) journal_->Update(*j, now);
  result.end = ReserveEnd::kReserved;
  result.job = CopyOf(*j);
  return result;
}

std::optional<JobCopy> Engine::Peek(JobId id) const {
  core::MutexLock lock(mu_);
  const Job* j = jobs_.Find(id);
  if (j == nullptr) return std::nullopt;
  return CopyOf(*j);
}

std::optional<JobCopy> Engine::PeekReady(ClientId id) const {
  core::MutexLock lock(mu_);
  const Client* c = FindClient(id);
  if (c == nullptr || c->use->ready.empty()) return std::nullopt;
  return CopyOf(*c->use->ready.Top());
}

std::optional<JobCopy> Engine::PeekDelayed(ClientId id) const {
  core::MutexLock lock(mu_);
  const Client* c = FindClient(id);
  if (c == nullptr || c->use->delayed.empty()) return std::nullopt;
  return CopyOf(*c->use->delayed.Top());
}

std::optional<JobCopy> Engine::PeekBuried(ClientId id) const {
  core::MutexLock lock(mu_);
  const Client* c = FindClient(id);
  if (c == nullptr || c->use->buried.head == nullptr) return std::nullopt;
  return CopyOf(*c->use->buried.head);
}

std::optional<JobStats> Engine::StatsJob(JobId id) const {
  core::MutexLock lock(mu_);
  const Job* j = jobs_.Find(id);
  if (j == nullptr) return std::nullopt;
  const std::int64_t now = NowNs();
  JobStats s;
  s.id = j->id;
  s.tube = j->tube->name;
  s.state = j->state;
  s.pri = j->pri;
  s.age_ns = now - j->created_ns;
  s.delay_ns = j->delay_ns;
  s.ttr_ns = j->ttr_ns;
  if (j->state == JobState::kReserved || j->state == JobState::kDelayed) {
    s.time_left_ns = std::max<std::int64_t>(0, j->deadline_ns - now);
  }
  s.file = j->log_segment;
  s.reserves = j->reserves;
  s.timeouts = j->timeouts;
  s.releases = j->releases;
  s.buries = j->buries;
  s.kicks = j->kicks;
  return s;
}

TubeStats Engine::TubeStatsLocked(const Tube& t, std::int64_t now) const {
  TubeStats s;
  s.name = t.name;
  s.urgent = t.urgent;
  s.ready = t.ready.size();
  s.reserved = t.reserved;
  s.delayed = t.delayed.size();
  s.buried = t.buried.size;
  s.total_jobs = t.total_jobs;
  s.using_count = t.using_count;
  s.waiting = t.waiting.size();
  s.watching = t.watching_count;
  s.pause_ns = PausedLocked(t, now) ? t.pause_ns : 0;
  s.cmd_delete = t.cmd_delete;
  s.cmd_pause = t.cmd_pause;
  s.pause_left_ns = PausedLocked(t, now) ? t.unpause_at_ns - now : 0;
  return s;
}

std::optional<TubeStats> Engine::StatsTube(std::string_view name) const {
  core::MutexLock lock(mu_);
  const Tube* t = FindTube(name);
  if (t == nullptr) return std::nullopt;
  return TubeStatsLocked(*t, NowNs());
}

std::vector<TubeStats> Engine::StatsAllTubes() const {
  core::MutexLock lock(mu_);
  std::vector<TubeStats> all;
  const std::int64_t now = NowNs();
  for (const auto& [name, t] : tubes_) all.push_back(TubeStatsLocked(*t, now));
  return all;
}

EngineStats Engine::Stats() const {
  core::MutexLock lock(mu_);
  EngineStats s;
  s.urgent = urgent_;
  s.ready = ready_;
  s.reserved = reserved_;
  s.delayed = delayed_;
  s.buried = buried_;
  s.jobs = jobs_.size();
  s.bytes = bytes_;
  s.tubes = tubes_.size();
  s.clients = clients_.size();
  for (const auto& [id, c] : clients_) {
    s.producers += c->producer;
    s.workers += c->worker;
    s.held += c->reserved.size;
  }
  s.waiting = waiting_.size();
  s.draining = draining_;
  s.counters = counters_;
  return s;
}

std::vector<std::string> Engine::ListTubes() const {
  core::MutexLock lock(mu_);
  std::vector<std::string> names;
  for (const Tube* t : tube_order_) names.push_back(t->name);
  return names;
}

Status Engine::PauseTube(std::string_view name, core::Clock::duration delay) {
  core::MutexLock lock(mu_);
  Tube* t = FindTube(name);
  if (t == nullptr) return Status::kNotFound;
  // Always a positive pause, so that waiting clients are re-examined when it ends (beanstalkd).
  const std::int64_t d = std::max<std::int64_t>(1, Ns(delay));
  t->pause_ns = d;
  t->unpause_at_ns = NowNs() + d;
  ++t->cmd_pause;
  return Status::kOk;
}

void Engine::Tick() {
  Wakes wakes;
  {
    core::MutexLock lock(mu_);
    const std::int64_t now = NowNs();
    // Leases that ran out: the job is ready again for anyone.
    while (Job* j = leases_.Top()) {
      if (j->deadline_ns > now) break;
      UnreserveLocked(j);
      ++j->timeouts;
      ++counters_.timeouts;
      MakeReadyLocked(j);
    }
    // Waiting reserves that must end: DEADLINE_SOON first (the client should finish or touch the
    // job it holds), then the reserve's own timeout.
    for (std::size_t i = 0; i < waiting_.size();) {
      Client& c = *waiting_[i];
      if (DeadlineSoonLocked(c, now)) {
        EndWaitLocked(c, WaitResult{WaitEnd::kDeadlineSoon, {}}, wakes);
      } else if (c.wait_deadline_ns <= now) {
        EndWaitLocked(c, WaitResult{WaitEnd::kTimedOut, {}}, wakes);
      } else {
        ++i;
      }
    }
    for (Tube* t : tube_order_) {
      while (Job* j = t->delayed.Top()) {
        if (j->deadline_ns > now) break;
        t->delayed.Remove(j);
        --delayed_;
        MakeReadyLocked(j);
      }
      if (t->unpause_at_ns != 0 && t->unpause_at_ns <= now) t->unpause_at_ns = 0;
    }
    // Serving may drop no tube (a waiting client watches it), so iterating the order is safe.
    for (Tube* t : tube_order_) ServeWaitersLocked(*t, now, wakes);
    if (journal_ != nullptr) journal_->Maintain(jobs_, now);
  }
  RunWakes(wakes);
}

Status Engine::Restore(const RestoredJob& r) {
  core::MutexLock lock(mu_);
  if (r.body.size() > options_.max_job_bytes) return Status::kJobTooBig;
  if (jobs_.Find(r.id) != nullptr) return Status::kOk;  // already there (a duplicate record)
  if (jobs_.size() >= options_.max_jobs ||
      bytes_ + sizeof(Job) + r.body.size() > options_.max_total_bytes) {
    return Status::kFull;
  }
  Tube* t = nullptr;
  if (Status s = FindOrMakeTube(r.tube, &t); s != Status::kOk) return s;
  const std::int64_t now = NowNs();
  JobPtr owned = MakeJob(r.id, r.body);
  Job* j = owned.release();
  j->tube = t;
  j->pri = r.pri;
  j->created_ns = now;
  j->ttr_ns = std::max(Ns(r.ttr), Ns(options_.min_ttr));
  j->delay_ns = Ns(r.delay);
  j->reserves = r.reserves;
  j->timeouts = r.timeouts;
  j->releases = r.releases;
  j->buries = r.buries;
  j->kicks = r.kicks;
  j->log_segment = r.log_segment;
  jobs_.Insert(j);
  bytes_ += j->footprint();
  if (r.state == JobState::kBuried) {
    j->state = JobState::kBuried;
    t->buried.PushBack(j);
    ++buried_;
  } else if (r.state == JobState::kDelayed) {
    EnqueueLocked(j, std::max<std::int64_t>(1, Ns(r.delay_left)), now);
  } else {
    MakeReadyLocked(j);
  }
  next_id_ = std::max(next_id_, r.id + 1);
  MaybeDropTube(t);
  return Status::kOk;
}

void Engine::EnsureNextIdAbove(JobId id) {
  core::MutexLock lock(mu_);
  next_id_ = std::max(next_id_, id + 1);
}

}  // namespace jobs
