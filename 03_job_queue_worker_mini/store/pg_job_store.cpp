#include "03_job_queue_worker_mini/store/pg_job_store.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include "03_job_queue_worker_mini/store/wakeup.hpp"
#include "core/base/thread_random.hpp"

namespace jobs_store {
namespace {

using core::Code;
using core::Error;
using core::pg::PgParam;
using core::pg::PgResult;
using SteadyClock = boost::asio::steady_timer::clock_type;

// The state column holds what was decided; "delayed" (ready, ready_at ahead) and "a lease that
// ran out" (reserved, lease_until behind) are read against now() rather than moved by a timer.
constexpr const char* kSchema = R"sql(
SELECT pg_advisory_xact_lock(3003);
CREATE TABLE IF NOT EXISTS jobs (
  id          bigserial PRIMARY KEY,
  tube        text COLLATE "C" NOT NULL,
  pri         bigint NOT NULL,
  state       text NOT NULL DEFAULT 'ready' CHECK (state IN ('ready', 'reserved', 'buried')),
  body        bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  ready_at    timestamptz NOT NULL,
  lease_until timestamptz,
  buried_at   timestamptz,
  delay_ms    bigint NOT NULL,
  ttr_ms      bigint NOT NULL,
  reserves    integer NOT NULL DEFAULT 0,
  timeouts    integer NOT NULL DEFAULT 0,
  releases    integer NOT NULL DEFAULT 0,
  buries      integer NOT NULL DEFAULT 0,
  kicks       integer NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS jobs_by_tube ON jobs (tube, pri, id);
)sql";

constexpr const char* kChannel = "jobqueue";
// How long one wait for notifications lasts: also how soon Stop() is noticed.
constexpr std::chrono::milliseconds kListenSlice{200};

// A row that a reserve may take: ready and due, or reserved under a lease that has passed.
constexpr const char* kTakeable =
    "((state = 'ready' AND ready_at <= now()) OR (state = 'reserved' AND lease_until <= now()))";
constexpr const char* kHeld = "(state = 'reserved' AND lease_until > now())";
constexpr const char* kDelayed = "(state = 'ready' AND ready_at > now())";

std::string Ms(const char* interval) {
  std::string s = "(extract(epoch FROM ";
  s.append(interval).append(") * 1000)::bigint");
  return s;
}

// bytea travels in its text form, hex: "\x" then two digits a byte. Bodies may hold any byte
// (a JSON "\u0000" is a NUL), which a text column would refuse.
std::string ToByteaHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "\\x";
  out.reserve(2 + bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 0;
}

std::string FromByteaHex(std::string_view text) {
  if (text.starts_with("\\x")) text.remove_prefix(2);
  std::string out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i + 1 < text.size(); i += 2) {
    out.push_back(static_cast<char>(HexValue(text[i]) * 16 + HexValue(text[i + 1])));
  }
  return out;
}

jobs::JobState StateOf(std::string_view word) {
  if (word == "reserved") return jobs::JobState::kReserved;
  if (word == "delayed") return jobs::JobState::kDelayed;
  if (word == "buried") return jobs::JobState::kBuried;
  return jobs::JobState::kReady;
}

constexpr std::int64_t kNsPerMs = 1'000'000;

}  // namespace

// Keeps a waiting reserve in the list the listener wakes, for as long as it waits.
class PgJobStore::Registration {
 public:
  Registration(PgJobStore& store, std::shared_ptr<Wakeup> wakeup, std::vector<std::string> tubes)
      : store_(store) {
    core::MutexLock lock(store_.waiting_mu_);
    store_.waiting_.push_back({std::move(wakeup), std::move(tubes)});
    it_ = std::prev(store_.waiting_.end());
  }
  ~Registration() {
    core::MutexLock lock(store_.waiting_mu_);
    store_.waiting_.erase(it_);
  }
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;

 private:
  PgJobStore& store_;
  std::list<Waiting>::iterator it_;
};

PgJobStore::PgJobStore(core::pg::PgPool& pool, PgJobStoreOptions options,
                       std::string listen_conninfo)
    : pool_(pool), options_(options), listen_conninfo_(std::move(listen_conninfo)) {}

PgJobStore::~PgJobStore() { Stop(); }

jobs::EngineCounters PgJobStore::Counters() const {
  jobs::EngineCounters c;
#define JOBS_PG_COUNTER_READ(field, suffix, help) c.field = field##_.load();
  JOBS_ENGINE_COUNTERS(JOBS_PG_COUNTER_READ)
#undef JOBS_PG_COUNTER_READ
  return c;
}

core::Task<core::Result<PgResult>> PgJobStore::Run(std::string sql, std::vector<PgParam> params) {
  core::Result<PgResult> r = co_await pool_.Query(std::move(sql), std::move(params));
  if (!r) co_return r.error();
  if (!r->ok()) co_return core::pg::StatementError(*r);
  co_return std::move(*r);
}

core::Task<core::Result<void>> PgJobStore::Migrate() { return core::pg::RunScript(pool_, kSchema); }

// --- the listener ---

void PgJobStore::Start() {
  core::MutexLock lock(start_mu_);
  if (listen_conninfo_.empty() || listen_ioc_) return;
  core::pg::PgPoolOptions o;
  o.conninfo = listen_conninfo_;
  o.max_connections = 1;
  listen_pool_ = std::make_unique<core::pg::PgPool>(o);
  listen_ioc_ = std::make_unique<boost::asio::io_context>();
  stopping_ = false;
  boost::asio::co_spawn(*listen_ioc_, Listen(), boost::asio::detached);
  listen_thread_ = std::thread([ioc = listen_ioc_.get()] { ioc->run(); });
}

void PgJobStore::Stop() {
  core::MutexLock lock(start_mu_);
  if (!listen_ioc_) return;
  // The listener sees the flag within one notification wait (kListenSlice) and returns; run()
  // then ends by itself, with every connection handed back and no coroutine left suspended.
  stopping_ = true;
  if (listen_thread_.joinable()) listen_thread_.join();
  listen_ioc_.reset();
  listen_pool_.reset();
}

void PgJobStore::Wake(std::string_view tube) {
  core::MutexLock lock(waiting_mu_);
  for (const Waiting& w : waiting_) {
    if (tube.empty() || std::find(w.tubes.begin(), w.tubes.end(), tube) != w.tubes.end()) {
      w.wakeup->Fire();
    }
  }
}

core::Task<void> PgJobStore::Listen() {
  const auto executor = co_await boost::asio::this_coro::executor;
  boost::asio::steady_timer backoff(executor);
  while (!stopping_) {
    core::Result<core::pg::PgPool::Lease> lease = co_await listen_pool_->Acquire();
    if (lease) {
      core::Result<PgResult> listened = co_await lease->Query(std::string("LISTEN ") + kChannel);
      if (listened && listened->ok()) {
        Wake("");  // notifications sent while nobody listened are lost: everyone looks again
        while (!stopping_) {
          core::Result<std::vector<core::pg::PgNotification>> got =
              co_await lease->WaitForNotifications(kListenSlice);
          if (!got) break;
          for (const core::pg::PgNotification& n : *got) {
            ++notifications_;
            Wake(n.payload);
          }
        }
      }
    }
    if (stopping_) break;
    backoff.expires_after(kListenSlice);
    co_await backoff.async_wait(core::kUseTuple);
  }
}

// --- commands ---

core::Task<core::Result<Enqueued>> PgJobStore::Put(NewJob job) {
  if (draining_) {
    ++rejected_draining_;
    co_return Error(Code::kUnavailable, "draining: no new jobs");
  }
  if (job.body.size() > options_.max_job_bytes) {
    co_return Error(Code::kPayloadTooLarge, "the job body exceeds --max-job-bytes (" +
                                                std::to_string(options_.max_job_bytes) + ")");
  }
  const auto ttr = std::max(job.ttr, options_.min_ttr);
  const bool delayed = job.delay.count() > 0;
  std::vector<PgParam> params = {job.tube,
                                 std::to_string(job.pri),
                                 ToByteaHex(job.body),
                                 std::to_string(job.delay.count()),
                                 std::to_string(ttr.count()),
                                 std::to_string(options_.max_jobs)};
  // The NOTIFY is part of the insert's transaction: reservers hear of the job once it is
  // committed, never before.
  core::Result<PgResult> r = co_await Run(
      "WITH ins AS (INSERT INTO jobs (tube, pri, body, ready_at, delay_ms, ttr_ms) "
      "SELECT $1, $2::bigint, $3::bytea, now() + $4::bigint * interval '1 millisecond', "
      "$4::bigint, $5::bigint WHERE (SELECT count(*) FROM jobs) < $6::bigint RETURNING id, tube) "
      "SELECT id, pg_notify('jobqueue', tube) FROM ins",
      std::move(params));
  if (!r) co_return r.error();
  if (r->rows() != 1) {
    ++rejected_full_;
    co_return Error(Code::kUnavailable, "the queue is full");
  }
  ++puts_;
  co_return Enqueued{static_cast<JobId>(r->Int(0, 0)), delayed};
}

core::Task<core::Result<std::optional<ReservedJob>>> PgJobStore::TryReserve(
    const std::string& tubes) {
  std::vector<PgParam> params = {tubes};
  // SKIP LOCKED: a row another reserver is taking right now is passed over, not waited for; the
  // next best one is taken instead. `c.state` is the state before: 'reserved' = a lease ran out.
  std::string sql = "WITH c AS (SELECT id, state FROM jobs WHERE tube = ANY($1::text[]) AND ";
  sql.append(kTakeable).append(
      " ORDER BY pri, id LIMIT 1 FOR UPDATE SKIP LOCKED) "
      "UPDATE jobs j SET state = 'reserved', reserves = j.reserves + 1, "
      "timeouts = j.timeouts + CASE WHEN c.state = 'reserved' THEN 1 ELSE 0 END, "
      "lease_until = now() + j.ttr_ms * interval '1 millisecond' FROM c WHERE j.id = c.id "
      "RETURNING j.id, j.tube, j.body, j.reserves, j.ttr_ms, c.state");
  core::Result<PgResult> r = co_await Run(std::move(sql), std::move(params));
  if (!r) co_return r.error();
  if (r->rows() == 0) co_return std::optional<ReservedJob>();
  ReservedJob job;
  job.id = static_cast<JobId>(r->Int(0, 0));
  job.tube = std::string(r->Text(0, 1));
  job.body = FromByteaHex(r->Text(0, 2));
  job.lease = static_cast<std::uint32_t>(r->Int(0, 3));
  job.ttr_ms = r->Int(0, 4);
  ++reserves_;
  if (r->Text(0, 5) == "reserved") ++timeouts_;
  co_return std::optional<ReservedJob>(std::move(job));
}

core::Task<core::Result<std::optional<std::int64_t>>> PgJobStore::NextDue(
    const std::string& tubes) {
  std::vector<PgParam> params = {tubes};
  std::string sql = "SELECT ";
  sql.append(Ms("least(min(ready_at) FILTER (WHERE state = 'ready'), "
                "min(lease_until) FILTER (WHERE state = 'reserved')) - now()"))
      .append(" FROM jobs WHERE tube = ANY($1::text[])");
  core::Result<PgResult> r = co_await Run(std::move(sql), std::move(params));
  if (!r) co_return r.error();
  if (r->rows() == 0 || r->IsNull(0, 0)) co_return std::optional<std::int64_t>();
  co_return std::optional<std::int64_t>(std::max<std::int64_t>(0, r->Int(0, 0)));
}

core::Task<core::Result<std::optional<ReservedJob>>> PgJobStore::Reserve(
    std::vector<std::string> tubes, std::chrono::milliseconds timeout) {
  const std::string array = core::pg::PgTextArray(tubes);
  if (timeout.count() <= 0) co_return co_await TryReserve(array);
  const auto deadline = SteadyClock::now() + timeout;
  const auto executor = co_await boost::asio::this_coro::executor;
  auto wakeup = std::make_shared<Wakeup>(executor);
  // Registered before the first look: a put committed after that look wakes this reserve.
  Registration registration(*this, wakeup, std::move(tubes));
  for (;;) {
    wakeup->Reset();  // before the query: a notification during it makes the wait return at once
    core::Result<std::optional<ReservedJob>> got = co_await TryReserve(array);
    if (!got || *got) co_return got;
    const auto now = SteadyClock::now();
    if (now >= deadline) co_return std::optional<ReservedJob>();
    auto until = std::min(deadline, now + options_.max_poll);
    core::Result<std::optional<std::int64_t>> due = co_await NextDue(array);
    if (!due) co_return due.error();
    if (*due) until = std::min(until, now + std::chrono::milliseconds(**due + 1));
    co_await wakeup->WaitUntil(until);
  }
}

core::Task<core::Result<void>> PgJobStore::ChangeLeased(std::string set, JobId id,
                                                        std::uint32_t lease,
                                                        std::vector<PgParam> extra) {
  std::vector<PgParam> params = {std::to_string(id), std::to_string(lease)};
  for (PgParam& p : extra) params.push_back(std::move(p));
  // `u` counts the change; the EXISTS reads the statement's snapshot (the row as it was), which
  // tells "not under this lease" (409) from "no such job" (404) in the same round trip.
  std::string sql = "WITH u AS (UPDATE jobs SET ";
  sql.append(set)
      .append(" WHERE id = $1::bigint AND reserves = $2::bigint AND ")
      .append(kHeld)
      .append(
          " RETURNING 1) SELECT (SELECT count(*) FROM u), "
          "EXISTS (SELECT 1 FROM jobs WHERE id = $1::bigint)");
  core::Result<PgResult> r = co_await Run(std::move(sql), std::move(params));
  if (!r) co_return r.error();
  if (r->Int(0, 0) == 1) co_return core::Result<void>();
  if (r->Bool(0, 1)) {
    co_return Error(Code::kConflict, "job " + std::to_string(id) +
                                         " is not leased under this lease (its TTR may have run "
                                         "out)");
  }
  co_return Error(Code::kNotFound, "no job " + std::to_string(id));
}

core::Task<core::Result<void>> PgJobStore::Ack(JobId id, std::uint32_t lease) {
  std::vector<PgParam> params = {std::to_string(id), std::to_string(lease)};
  std::string sql = "WITH d AS (DELETE FROM jobs WHERE id = $1::bigint AND reserves = $2::bigint ";
  sql.append("AND ").append(kHeld).append(
      " RETURNING 1) SELECT (SELECT count(*) FROM d), "
      "EXISTS (SELECT 1 FROM jobs WHERE id = $1::bigint)");
  core::Result<PgResult> r = co_await Run(std::move(sql), std::move(params));
  if (!r) co_return r.error();
  if (r->Int(0, 0) == 1) {
    ++deletes_;
    co_return core::Result<void>();
  }
  if (r->Bool(0, 1)) {
    co_return Error(Code::kConflict, "job " + std::to_string(id) +
                                         " is not leased under this lease (its TTR may have run "
                                         "out)");
  }
  co_return Error(Code::kNotFound, "no job " + std::to_string(id));
}

core::Task<core::Result<NackOutcome>> PgJobStore::Nack(JobId id, std::uint32_t lease) {
  // A valid lease is the reserve count, so it is the attempt number: the decision needs no read.
  const jobs::RetryDecision d = jobs::DecideRetry(options_.retry, lease, core::ThreadRandom64());
  core::Result<void> r;
  if (d.bury) {
    std::vector<PgParam> none;
    r = co_await ChangeLeased(
        "state = 'buried', buries = buries + 1, buried_at = clock_timestamp(), lease_until = NULL",
        id, lease, std::move(none));
  } else {
    std::vector<PgParam> delay = {std::to_string(d.delay.count())};
    r = co_await ChangeLeased(
        "state = 'ready', releases = releases + 1, lease_until = NULL, delay_ms = $3::bigint, "
        "ready_at = now() + $3::bigint * interval '1 millisecond'",
        id, lease, std::move(delay));
  }
  if (!r) co_return r.error();
  if (d.bury) {
    ++buries_;
  } else {
    ++releases_;
  }
  co_return NackOutcome{d.bury, d.delay, lease};
}

core::Task<core::Result<void>> PgJobStore::Touch(JobId id, std::uint32_t lease) {
  std::vector<PgParam> none;
  core::Result<void> r = co_await ChangeLeased(
      "lease_until = now() + ttr_ms * interval '1 millisecond'", id, lease, std::move(none));
  if (r) ++touches_;
  co_return r;
}

core::Task<core::Result<void>> PgJobStore::Bury(JobId id, std::uint32_t lease) {
  std::vector<PgParam> none;
  core::Result<void> r = co_await ChangeLeased(
      "state = 'buried', buries = buries + 1, buried_at = clock_timestamp(), lease_until = NULL",
      id, lease, std::move(none));
  if (r) ++buries_;
  co_return r;
}

core::Task<core::Result<std::size_t>> PgJobStore::Kick(std::string tube, std::size_t bound) {
  std::vector<PgParam> params = {tube, std::to_string(bound)};
  // Buried jobs first (oldest buried first); only when none is buried, delayed ones (soonest due).
  std::string sql =
      "WITH b AS (SELECT id FROM jobs WHERE tube = $1 AND state = 'buried' "
      "ORDER BY buried_at, id LIMIT $2::bigint FOR UPDATE SKIP LOCKED), "
      "d AS (SELECT id FROM jobs WHERE tube = $1 AND ";
  sql.append(kDelayed).append(
      " AND NOT EXISTS (SELECT 1 FROM jobs WHERE tube = $1 AND state = 'buried') "
      "ORDER BY ready_at, id LIMIT $2::bigint FOR UPDATE SKIP LOCKED), "
      "k AS (UPDATE jobs SET state = 'ready', ready_at = now(), buried_at = NULL, "
      "kicks = kicks + 1 WHERE id IN (SELECT id FROM b UNION ALL SELECT id FROM d) "
      "RETURNING 1) SELECT count(*) FROM k");
  core::Result<PgResult> r = co_await Run(std::move(sql), std::move(params));
  if (!r) co_return r.error();
  const auto kicked = static_cast<std::size_t>(r->Int(0, 0));
  kicks_ += kicked;
  if (kicked > 0) {  // kicks are rare: a second round trip is simpler than a notify in the CTE
    std::vector<PgParam> notify = {std::move(tube)};
    core::Result<PgResult> sent =
        co_await Run("SELECT pg_notify('jobqueue', $1)", std::move(notify));
    (void)sent;  // without it, waiting reserves still find the jobs at their next look
  }
  co_return kicked;
}

core::Task<core::Result<void>> PgJobStore::Delete(JobId id) {
  std::vector<PgParam> params = {std::to_string(id)};
  std::string sql = "WITH t AS (SELECT id, ";
  sql.append(kHeld).append(
      " AS held FROM jobs WHERE id = $1::bigint FOR UPDATE), "
      "d AS (DELETE FROM jobs WHERE id IN (SELECT id FROM t WHERE NOT held) RETURNING 1) "
      "SELECT (SELECT count(*) FROM t), (SELECT count(*) FROM t WHERE held), "
      "(SELECT count(*) FROM d)");
  core::Result<PgResult> r = co_await Run(std::move(sql), std::move(params));
  if (!r) co_return r.error();
  if (r->Int(0, 2) == 1) {
    ++deletes_;
    co_return core::Result<void>();
  }
  if (r->Int(0, 1) == 1) {
    co_return Error(Code::kConflict,
                    "job " + std::to_string(id) + " is reserved: ack it with its lease");
  }
  co_return Error(Code::kNotFound, "no job " + std::to_string(id));
}

core::Task<core::Result<jobs::JobStats>> PgJobStore::Job(JobId id) {
  std::vector<PgParam> params = {std::to_string(id)};
  std::string sql = "SELECT id, tube, CASE WHEN ";
  sql.append(kHeld)
      .append(" THEN 'reserved' WHEN state = 'buried' THEN 'buried' WHEN ")
      .append(kDelayed)
      .append(" THEN 'delayed' ELSE 'ready' END, pri, ")
      .append(Ms("now() - created_at"))
      .append(", delay_ms, ttr_ms, CASE WHEN ")
      .append(kHeld)
      .append(" THEN ")
      .append(Ms("lease_until - now()"))
      .append(" WHEN ")
      .append(kDelayed)
      .append(" THEN ")
      .append(Ms("ready_at - now()"))
      .append(
          " ELSE 0 END, reserves, "
          "timeouts + CASE WHEN state = 'reserved' AND lease_until <= now() THEN 1 ELSE 0 END, "
          "releases, buries, kicks FROM jobs WHERE id = $1::bigint");
  core::Result<PgResult> r = co_await Run(std::move(sql), std::move(params));
  if (!r) co_return r.error();
  if (r->rows() == 0) co_return Error(Code::kNotFound, "no job " + std::to_string(id));
  jobs::JobStats s;
  s.id = static_cast<JobId>(r->Int(0, 0));
  s.tube = std::string(r->Text(0, 1));
  s.state = StateOf(r->Text(0, 2));
  s.pri = static_cast<std::uint32_t>(r->Int(0, 3));
  s.age_ns = r->Int(0, 4) * kNsPerMs;
  s.delay_ns = r->Int(0, 5) * kNsPerMs;
  s.ttr_ns = r->Int(0, 6) * kNsPerMs;
  s.time_left_ns = r->Int(0, 7) * kNsPerMs;
  s.reserves = static_cast<std::uint32_t>(r->Int(0, 8));
  s.timeouts = static_cast<std::uint32_t>(r->Int(0, 9));
  s.releases = static_cast<std::uint32_t>(r->Int(0, 10));
  s.buries = static_cast<std::uint32_t>(r->Int(0, 11));
  s.kicks = static_cast<std::uint32_t>(r->Int(0, 12));
  co_return s;
}

namespace {

// Counts by state: ready, urgent (ready with priority < 1024, beanstalkd's word), reserved,
// delayed, buried, all; then the bytes of the bodies and the number of tubes.
std::string CountsSql(const char* where) {
  std::string sql = "SELECT count(*) FILTER (WHERE ";
  sql.append(kTakeable)
      .append("), count(*) FILTER (WHERE pri < 1024 AND ")
      .append(kTakeable)
      .append("), count(*) FILTER (WHERE ")
      .append(kHeld)
      .append("), count(*) FILTER (WHERE ")
      .append(kDelayed)
      .append(
          "), count(*) FILTER (WHERE state = 'buried'), count(*), "
          "coalesce(sum(octet_length(body)), 0), count(DISTINCT tube) FROM jobs")
      .append(where);
  return sql;
}

}  // namespace

core::Task<core::Result<jobs::TubeStats>> PgJobStore::Tube(std::string tube) {
  std::vector<PgParam> params = {tube};
  core::Result<PgResult> r = co_await Run(CountsSql(" WHERE tube = $1"), std::move(params));
  if (!r) co_return r.error();
  // A tube exists while it holds jobs (beanstalkd also drops an empty tube nobody uses).
  if (r->Int(0, 5) == 0) co_return Error(Code::kNotFound, "no tube '" + tube + "'");
  jobs::TubeStats s;
  s.name = std::move(tube);
  s.ready = static_cast<std::size_t>(r->Int(0, 0));
  s.urgent = static_cast<std::size_t>(r->Int(0, 1));
  s.reserved = static_cast<std::size_t>(r->Int(0, 2));
  s.delayed = static_cast<std::size_t>(r->Int(0, 3));
  s.buried = static_cast<std::size_t>(r->Int(0, 4));
  s.total_jobs = static_cast<std::uint64_t>(r->Int(0, 5));  // held now (not puts ever)
  {
    core::MutexLock lock(waiting_mu_);
    for (const Waiting& w : waiting_) {
      if (std::find(w.tubes.begin(), w.tubes.end(), s.name) != w.tubes.end()) ++s.waiting;
    }
  }
  co_return s;
}

core::Task<core::Result<jobs::EngineStats>> PgJobStore::Stats() {
  std::vector<PgParam> none;
  core::Result<PgResult> r = co_await Run(CountsSql(""), std::move(none));
  if (!r) co_return r.error();
  jobs::EngineStats s;
  s.ready = static_cast<std::size_t>(r->Int(0, 0));
  s.urgent = static_cast<std::size_t>(r->Int(0, 1));
  s.reserved = static_cast<std::size_t>(r->Int(0, 2));
  s.delayed = static_cast<std::size_t>(r->Int(0, 3));
  s.buried = static_cast<std::size_t>(r->Int(0, 4));
  s.jobs = static_cast<std::size_t>(r->Int(0, 5));
  s.bytes = static_cast<std::size_t>(r->Int(0, 6));
  s.tubes = static_cast<std::size_t>(r->Int(0, 7));
  s.draining = draining_;
  s.counters = Counters();
  {
    core::MutexLock lock(waiting_mu_);
    s.waiting = waiting_.size();
  }
  last_bytes_ = s.bytes;
  co_return s;
}

}  // namespace jobs_store
