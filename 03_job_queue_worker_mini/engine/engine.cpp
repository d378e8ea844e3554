// Clients, tubes, put, reserve and waiting. Job commands, inspection and time: engine_jobs.cpp.
#include "03_job_queue_worker_mini/engine/engine.hpp"

#include <algorithm>
#include <utility>

namespace jobs {

namespace {

bool IsNameChar(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '+' || c == '/' || c == ';' || c == '.' || c == '$' || c == '_' || c == '(' ||
         c == ')';
}

std::int64_t Ns(core::Clock::duration d) noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}

}  // namespace

bool IsValidTubeName(std::string_view name) noexcept {
  if (name.empty() || name.size() > 200 || name.front() == '-') return false;
  return std::all_of(name.begin(), name.end(), IsNameChar);
}

Engine::Engine(EngineOptions options, const core::Clock& clock, Journal* journal)
    : options_(options), clock_(clock), journal_(journal) {
  Tube* t = nullptr;
  FindOrMakeTube("default", &t);
  default_tube_ = t;
}

Engine::~Engine() {
  std::vector<Job*> all;
  all.reserve(jobs_.size());
  jobs_.ForEach([&](Job* j) { all.push_back(j); });
  for (Job* j : all) JobDeleter()(j);
}

std::int64_t Engine::NowNs() const noexcept { return Ns(clock_.Now().time_since_epoch()); }

Client* Engine::FindClient(ClientId id) const {
  auto it = clients_.find(id);
  return it == clients_.end() ? nullptr : it->second.get();
}

Tube* Engine::FindTube(std::string_view name) const {
  auto it = tubes_.find(name);
  return it == tubes_.end() ? nullptr : it->second.get();
}

Status Engine::FindOrMakeTube(std::string_view name, Tube** tube) {
  if (!IsValidTubeName(name)) return Status::kBadName;
  if (Tube* t = FindTube(name)) {
    *tube = t;
    return Status::kOk;
  }
  if (tubes_.size() >= options_.max_tubes) return Status::kTooManyTubes;
  auto t = std::make_unique<Tube>();
  t->name = std::string(name);
  *tube = t.get();
  tube_order_.push_back(t.get());
  tubes_.emplace(t->name, std::move(t));
  return Status::kOk;
}

void Engine::MaybeDropTube(Tube* t) {
  if (t == default_tube_ || t->using_count > 0 || t->watching_count > 0 || t->jobs() > 0 ||
      !t->waiting.empty()) {
    return;
  }
  // beanstalkd keeps its tubes in an array and fills a hole with the last one; list-tubes shows
  // that order, and the differential test compares it.
  auto it = std::find(tube_order_.begin(), tube_order_.end(), t);
  *it = tube_order_.back();
  tube_order_.pop_back();
  tubes_.erase(tubes_.find(t->name));
}

void Engine::AddWatch(Client& c, Tube* t) {
  c.watch.push_back(t);
  ++t->watching_count;
}

void Engine::RemoveWatch(Client& c, std::size_t index) {
  Tube* t = c.watch[index];
  c.watch[index] = c.watch.back();  // beanstalkd's order again
  c.watch.pop_back();
  --t->watching_count;
  MaybeDropTube(t);
}

ClientId Engine::Connect() {
  core::MutexLock lock(mu_);
  auto c = std::make_unique<Client>();
  c->id = next_client_++;
  c->use = default_tube_;
  ++default_tube_->using_count;
  AddWatch(*c, default_tube_);
  const ClientId id = c->id;
  clients_.emplace(id, std::move(c));
  return id;
}

void Engine::Disconnect(ClientId id, bool keep_leases) {
  Wakes wakes;
  {
    core::MutexLock lock(mu_);
    Client* c = FindClient(id);
    if (c == nullptr) return;
    StopWaitLocked(*c);
    const std::int64_t now = NowNs();
    std::vector<Tube*> touched;
    while (Job* j = c->reserved.head) {
      if (keep_leases) {
        c->reserved.Remove(j);
        j->owner = nullptr;  // stays leased until its TTR; HTTP clients quote the lease number
      } else {
        UnreserveLocked(j);
        EnqueueLocked(j, 0, now);
        touched.push_back(j->tube);
      }
    }
    // Watches go first: the used tube may be watched too, and must not be dropped while this
    // client still uses it (the fuzzer found that use-after-free).
    while (!c->watch.empty()) RemoveWatch(*c, c->watch.size() - 1);
    Tube* used = c->use;
    --used->using_count;
    MaybeDropTube(used);
    clients_.erase(id);
    for (Tube* t : touched) ServeWaitersLocked(*t, now, wakes);
  }
  RunWakes(wakes);
}

Status Engine::Use(ClientId id, std::string_view name) {
  core::MutexLock lock(mu_);
  Client* c = FindClient(id);
  if (c == nullptr) return Status::kNotFound;
  Tube* t = nullptr;
  if (Status s = FindOrMakeTube(name, &t); s != Status::kOk) return s;
  Tube* old = c->use;
  c->use = t;
  ++t->using_count;
  --old->using_count;
  MaybeDropTube(old);
  return Status::kOk;
}

Status Engine::Watch(ClientId id, std::string_view name, std::size_t* watching) {
  core::MutexLock lock(mu_);
  Client* c = FindClient(id);
  if (c == nullptr) return Status::kNotFound;
  Tube* t = nullptr;
  if (Status s = FindOrMakeTube(name, &t); s != Status::kOk) return s;
  if (std::find(c->watch.begin(), c->watch.end(), t) == c->watch.end()) AddWatch(*c, t);
  *watching = c->watch.size();
  return Status::kOk;
}

Status Engine::Ignore(ClientId id, std::string_view name, std::size_t* watching) {
  core::MutexLock lock(mu_);
  Client* c = FindClient(id);
  if (c == nullptr) return Status::kNotFound;
  if (!IsValidTubeName(name)) return Status::kBadName;
  for (std::size_t i = 0; i < c->watch.size(); ++i) {
    if (c->watch[i]->name != name) continue;
    if (c->watch.size() < 2) return Status::kNotIgnored;
    RemoveWatch(*c, i);
    break;
  }
  *watching = c->watch.size();
  return Status::kOk;
}

std::string Engine::UsedTube(ClientId id) const {
  core::MutexLock lock(mu_);
  Client* c = FindClient(id);
  return c == nullptr ? std::string() : c->use->name;
}

std::vector<std::string> Engine::WatchedTubes(ClientId id) const {
  core::MutexLock lock(mu_);
  std::vector<std::string> names;
  if (Client* c = FindClient(id)) {
    for (Tube* t : c->watch) names.push_back(t->name);
  }
  return names;
}

JobId Engine::AllocateId() {
  core::MutexLock lock(mu_);
  return next_id_++;
}

PutResult Engine::Put(ClientId id, const PutRequest& request) {
  PutResult result;
  Wakes wakes;
  {
    core::MutexLock lock(mu_);
    Client* c = FindClient(id);
    if (c == nullptr) {
      result.status = Status::kNotFound;
      return result;
    }
    if (request.body.size() > options_.max_job_bytes) {
      result.status = Status::kJobTooBig;
      return result;
    }
    if (draining_) {
      ++counters_.rejected_draining;
      result.status = Status::kDraining;
      return result;
    }
    if (jobs_.size() >= options_.max_jobs ||
        bytes_ + sizeof(Job) + request.body.size() > options_.max_total_bytes) {
      ++counters_.rejected_full;
      result.status = Status::kFull;
      return result;
    }
    const std::int64_t now = NowNs();
    JobPtr owned = MakeJob(request.id != 0 ? request.id : next_id_++, request.body);
    Job* j = owned.release();
    j->tube = c->use;
    j->pri = request.pri;
    j->created_ns = now;
    j->ttr_ns = std::max(Ns(request.ttr), Ns(options_.min_ttr));
    j->delay_ns = std::max<std::int64_t>(0, Ns(request.delay));
    jobs_.Insert(j);
    bytes_ += j->footprint();
    c->producer = true;
    ++counters_.puts;
    ++j->tube->total_jobs;
    EnqueueLocked(j, j->delay_ns, now);
    if (journal_ != nullptr) result.lsn = journal_->Put(*j, now);
    result.id = j->id;
    ServeWaitersLocked(*j->tube, now, wakes);
  }
  RunWakes(wakes);
  return result;
}

void Engine::EnqueueLocked(Job* j, std::int64_t delay_ns, std::int64_t now) {
  if (delay_ns > 0) {
    j->state = JobState::kDelayed;
    j->deadline_ns = now + delay_ns;
    j->tube->delayed.Push(j);
    ++delayed_;
  } else {
    MakeReadyLocked(j);
  }
}

void Engine::MakeReadyLocked(Job* j) {
  j->state = JobState::kReady;
  j->tube->ready.Push(j);
  ++ready_;
  if (j->pri < kUrgentPriority) {
    ++urgent_;
    ++j->tube->urgent;
  }
}

void Engine::ReserveForLocked(Client& c, Job* j, std::int64_t now) {
  RemoveLocked(j);
  j->state = JobState::kReserved;
  j->owner = &c;
  j->deadline_ns = now + j->ttr_ns;
  ++j->reserves;
  c.reserved.PushBack(j);
  ++j->tube->reserved;
  ++reserved_;
  leases_.Push(j);
  c.worker = true;
  ++counters_.reserves;
}

bool Engine::PausedLocked(const Tube& t, std::int64_t now) const noexcept {
  return t.unpause_at_ns > now;
}

bool Engine::DeadlineSoonLocked(const Client& c, std::int64_t now) const {
  const std::int64_t margin = Ns(options_.safety_margin);
  for (const Job* j = c.reserved.head; j != nullptr; j = j->next) {
    if (now + margin >= j->deadline_ns) return true;
  }
  return false;
}

Job* Engine::BestReadyLocked(const Client& c, std::int64_t now) const {
  Job* best = nullptr;
  for (const Tube* t : c.watch) {
    if (t->ready.empty() || PausedLocked(*t, now)) continue;
    Job* candidate = t->ready.Top();
    if (best == nullptr || ByPriority()(candidate, best)) best = candidate;
  }
  return best;
}

ReserveResult Engine::Reserve(ClientId id, std::optional<core::Clock::duration> timeout,
                              WaitCallback on_wait) {
  ReserveResult result;
  core::MutexLock lock(mu_);
  Client* c = FindClient(id);
  if (c == nullptr) return result;  // kTimedOut
  StopWaitLocked(*c);
  c->worker = true;
  const std::int64_t now = NowNs();
  // beanstalkd asks "is anything ready in a watched tube", paused or not, before answering
  // DEADLINE_SOON; the same question here keeps the two servers' answers identical.
  const bool any_ready = std::any_of(c->watch.begin(), c->watch.end(),
                                     [](const Tube* t) { return !t->ready.empty(); });
  if (!any_ready && DeadlineSoonLocked(*c, now)) {
    result.end = ReserveEnd::kDeadlineSoon;
    return result;
  }
  if (Job* j = BestReadyLocked(*c, now)) {
    ReserveForLocked(*c, j, now);
    result.end = ReserveEnd::kReserved;
    result.job = CopyOf(*j);
    return result;
  }
  if (timeout && timeout->count() <= 0) return result;  // kTimedOut
  StartWaitLocked(*c, timeout, std::move(on_wait), now);
  result.end = ReserveEnd::kWaiting;
  return result;
}

void Engine::StartWaitLocked(Client& c, std::optional<core::Clock::duration> timeout,
                             WaitCallback on_wait, std::int64_t now) {
  c.waiting = true;
  c.wait_deadline_ns = timeout ? now + Ns(*timeout) : kNever;
  c.on_wait = std::move(on_wait);
  for (Tube* t : c.watch) t->waiting.push_back(&c);
  waiting_.push_back(&c);
}

void Engine::StopWaitLocked(Client& c) {
  if (!c.waiting) return;
  c.waiting = false;
  for (Tube* t : c.watch) t->waiting.erase(std::find(t->waiting.begin(), t->waiting.end(), &c));
  waiting_.erase(std::find(waiting_.begin(), waiting_.end(), &c));
  c.on_wait = nullptr;
}

void Engine::EndWaitLocked(Client& c, WaitResult result, Wakes& wakes) {
  WaitCallback callback = std::move(c.on_wait);
  StopWaitLocked(c);
  if (callback) wakes.push_back(Wake{std::move(callback), std::move(result)});
}

void Engine::ServeWaitersLocked(Tube& t, std::int64_t now, Wakes& wakes) {
  while (!t.waiting.empty() && !t.ready.empty() && !PausedLocked(t, now)) {
    Client& c = *t.waiting.front();
    Job* j = t.ready.Top();
    ReserveForLocked(c, j, now);
    EndWaitLocked(c, WaitResult{WaitEnd::kReserved, CopyOf(*j)}, wakes);
  }
}

JobCopy Engine::CopyOf(const Job& j) { return JobCopy{j.id, j.reserves, std::string(j.body())}; }

void Engine::RunWakes(Wakes& wakes) {
  for (Wake& w : wakes) w.callback(std::move(w.result));
}

void Engine::SetDraining(bool draining) {
  core::MutexLock lock(mu_);
  draining_ = draining;
}

bool Engine::draining() const {
  core::MutexLock lock(mu_);
  return draining_;
}

}  // namespace jobs
