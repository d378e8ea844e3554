#include "03_job_queue_worker_mini/store/engine_job_store.hpp"

#include <algorithm>
#include <boost/asio/this_coro.hpp>
#include <memory>

#include "03_job_queue_worker_mini/store/wakeup.hpp"
#include "core/base/thread_random.hpp"

namespace jobs_store {

using core::Code;
using core::Error;

core::Task<void> EngineJobStore::Durable(jobs::Lsn lsn) {
  if (log_ == nullptr || lsn == 0 || log_->Commit(lsn)) co_return;
  auto executor = co_await boost::asio::this_coro::executor;
  auto synced = std::make_shared<Wakeup>(executor);
  log_->WhenSynced(lsn, [synced] { synced->Fire(); });
  co_await synced->Wait();
}

core::Error EngineJobStore::LeaseError(JobId id) const {
  if (engine_.StatsJob(id)) {
    return Error(Code::kConflict, "job " + std::to_string(id) +
                                      " is not leased under this lease (its TTR may have run out)");
  }
  return Error(Code::kNotFound, "no job " + std::to_string(id));
}

core::Task<core::Result<Enqueued>> EngineJobStore::Put(NewJob job) {
  jobs::PutRequest r;
  r.pri = job.pri;
  r.delay = job.delay;
  r.ttr = job.ttr;
  r.body = job.body;
  const jobs::ClientId client = engine_.Connect();
  jobs::PutResult put;
  const jobs::Status used = engine_.Use(client, job.tube);
  if (used == jobs::Status::kOk) {
    put = engine_.Put(client, r);
  } else {
    put.status = used;
  }
  engine_.Disconnect(client);
  switch (put.status) {
    case jobs::Status::kOk:
      break;
    case jobs::Status::kJobTooBig:
      co_return Error(Code::kPayloadTooLarge, "the job body exceeds --max-job-bytes (" +
                                                  std::to_string(engine_.options().max_job_bytes) +
                                                  ")");
    case jobs::Status::kDraining:
      co_return Error(Code::kUnavailable, "draining: no new jobs");
    default:  // kFull, kTooManyTubes: try again later
      co_return Error(Code::kUnavailable, "the queue is full");
  }
  co_await Durable(put.lsn);
  co_return Enqueued{put.id, job.delay.count() > 0};
}

core::Task<core::Result<std::optional<ReservedJob>>> EngineJobStore::Reserve(
    std::vector<std::string> tubes, std::chrono::milliseconds timeout) {
  // An HTTP reserve is a short-lived engine client: it watches the tubes, waits, and leaves the
  // job leased (no connection owns it; the lease number does).
  const jobs::ClientId client = engine_.Connect();
  std::size_t watching = 0;
  for (const std::string& t : tubes) {
    if (engine_.Watch(client, t, &watching) != jobs::Status::kOk) {
      engine_.Disconnect(client);
      co_return Error(Code::kUnavailable, "too many tubes");
    }
  }
  if (std::find(tubes.begin(), tubes.end(), "default") == tubes.end()) {
    engine_.Ignore(client, "default", &watching);
  }
  auto executor = co_await boost::asio::this_coro::executor;
  auto woke = std::make_shared<Wakeup>(executor);
  auto result = std::make_shared<std::optional<jobs::WaitResult>>();
  jobs::ReserveResult r = engine_.Reserve(client, timeout, [woke, result](jobs::WaitResult w) {
    *result = std::move(w);
    woke->Fire();
  });
  std::optional<jobs::JobCopy> job;
  if (r.end == jobs::ReserveEnd::kReserved) {
    job = std::move(r.job);
  } else if (r.end == jobs::ReserveEnd::kWaiting) {
    co_await woke->Wait();
    if ((*result)->end == jobs::WaitEnd::kReserved) job = std::move((*result)->job);
  }
  engine_.Disconnect(client, /*keep_leases=*/true);
  if (!job) co_return std::optional<ReservedJob>();
  const auto stats = engine_.StatsJob(job->id);
  ReservedJob out;
  out.id = job->id;
  out.tube = stats ? stats->tube : std::string();
  out.body = std::move(job->body);
  out.lease = job->lease;
  out.ttr_ms = stats ? stats->ttr_ns / 1'000'000 : 0;
  co_return std::optional<ReservedJob>(std::move(out));
}

core::Task<core::Result<void>> EngineJobStore::Ack(JobId id, std::uint32_t lease) {
  const jobs::Result r = engine_.Delete({0, lease}, id);
  if (r.status != jobs::Status::kOk) co_return LeaseError(id);
  co_await Durable(r.lsn);
  co_return core::Result<void>();
}

core::Task<core::Result<NackOutcome>> EngineJobStore::Nack(JobId id, std::uint32_t lease) {
  const auto job = engine_.StatsJob(id);
  if (!job || job->state != jobs::JobState::kReserved || job->reserves != lease) {
    co_return LeaseError(id);
  }
  const jobs::RetryDecision d = jobs::DecideRetry(retry_, job->reserves, core::ThreadRandom64());
  const jobs::Result r = d.bury ? engine_.Bury({0, lease}, id, job->pri)
                                : engine_.Release({0, lease}, id, job->pri, d.delay);
  if (r.status != jobs::Status::kOk) co_return LeaseError(id);
  co_await Durable(r.lsn);
  co_return NackOutcome{d.bury, d.delay, job->reserves};
}

core::Task<core::Result<void>> EngineJobStore::Touch(JobId id, std::uint32_t lease) {
  if (engine_.Touch({0, lease}, id).status != jobs::Status::kOk) co_return LeaseError(id);
  co_return core::Result<void>();
}

core::Task<core::Result<void>> EngineJobStore::Bury(JobId id, std::uint32_t lease) {
  const auto job = engine_.StatsJob(id);
  const jobs::Result r =
      job ? engine_.Bury({0, lease}, id, job->pri) : jobs::Result{jobs::Status::kNotFound, 0};
  if (r.status != jobs::Status::kOk) co_return LeaseError(id);
  co_await Durable(r.lsn);
  co_return core::Result<void>();
}

core::Task<core::Result<std::size_t>> EngineJobStore::Kick(std::string tube, std::size_t bound) {
  std::size_t kicked = 0;
  jobs::Lsn lsn = 0;
  engine_.KickTube(tube, bound, &kicked, &lsn);  // an unknown tube has nothing to kick
  co_await Durable(lsn);
  co_return kicked;
}

core::Task<core::Result<void>> EngineJobStore::Delete(JobId id) {
  const auto s = engine_.StatsJob(id);
  if (s && s->state == jobs::JobState::kReserved) {
    co_return Error(Code::kConflict,
                    "job " + std::to_string(id) + " is reserved: ack it with its lease");
  }
  const jobs::Result r = engine_.Delete({0, std::nullopt}, id);
  if (r.status != jobs::Status::kOk)
    co_return Error(Code::kNotFound, "no job " + std::to_string(id));
  co_await Durable(r.lsn);
  co_return core::Result<void>();
}

core::Task<core::Result<jobs::JobStats>> EngineJobStore::Job(JobId id) {
  auto s = engine_.StatsJob(id);
  if (!s) co_return Error(Code::kNotFound, "no job " + std::to_string(id));
  co_return std::move(*s);
}

core::Task<core::Result<jobs::TubeStats>> EngineJobStore::Tube(std::string tube) {
  auto s = engine_.StatsTube(tube);
  if (!s) co_return Error(Code::kNotFound, "no tube '" + tube + "'");
  co_return std::move(*s);
}

core::Task<core::Result<jobs::EngineStats>> EngineJobStore::Stats() { co_return engine_.Stats(); }

}  // namespace jobs_store
