#include "03_job_queue_worker_mini/server/jobqueue_module.hpp"

#include <csignal>
#include <thread>

#include "03_job_queue_worker_mini/server/jobs_metrics.hpp"
#include "03_job_queue_worker_mini/store/engine_job_store.hpp"
#include "core/async/run_now.hpp"
#include "core/base/log.hpp"

namespace jobs_server {

namespace {

volatile std::sig_atomic_t g_drain_requested = 0;
extern "C" void OnSigUsr1(int) { g_drain_requested = 1; }

std::int64_t WallNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

core::Error Bad(std::string detail) {
  return core::Error(core::Code::kInvalidArgument, std::move(detail));
}

}  // namespace

JobQueueModule::~JobQueueModule() { Release(); }

void JobQueueModule::AddFlags(core::ServiceCli& cli) {
  cli.AddOption("max-job-bytes", flags_.max_job_bytes, "Largest job body (beanstalkd -z)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{64} << 20));
  cli.AddOption("max-jobs", flags_.max_jobs, "Most jobs held; a put past it is refused")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 32));
  cli.AddOption("max-bytes", flags_.max_bytes, "Most bytes held by jobs; a put past it is refused")
      ->check(CLI::Range(std::size_t{1} << 16, std::size_t{1} << 40));
  cli.AddOption("max-tubes", flags_.max_tubes, "Most tubes at once")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 24));
  cli.AddOption("data", flags_.data, "Write-ahead log directory (empty: in memory only)");
  cli.AddOption("fsync", flags_.fsync, "always | every=<ms> | never");
  cli.AddOption("wal-segment-bytes", flags_.wal_segment_bytes, "Log segment size")
      ->check(CLI::Range(std::size_t{4096}, std::size_t{1} << 32));
  cli.AddSwitch("beanstalkd", flags_.beanstalkd, "Serve the beanstalkd protocol");
  cli.AddOption("beanstalkd-port", flags_.beanstalkd_port, "beanstalkd protocol port (0 = any)")
      ->check(CLI::Range(0, 65535));
  cli.AddOption("beanstalkd-threads", flags_.beanstalkd_threads,
                "beanstalkd worker threads (0 = --threads)")
      ->check(CLI::Range(0, 256));
  cli.AddOption("beanstalkd-max-connections", flags_.beanstalkd_max_connections,
                "beanstalkd connection cap")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  cli.AddDuration("beanstalkd-read-timeout", flags_.beanstalkd_read_timeout,
                  "A started command or job body must arrive within this");
  cli.AddDuration("tick-interval", flags_.tick_interval,
                  "How often time moves jobs (delays, TTRs, reserve timeouts)");
  cli.AddDuration("drain-timeout", flags_.drain_timeout,
                  "On SIGTERM: how long reserved jobs may take to finish", /*allow_zero=*/true);
  cli.AddOption("max-attempts", flags_.max_attempts, "HTTP nack: reserves before burying")
      ->check(CLI::Range(1, 1000000));
  cli.AddDuration("retry-base", flags_.retry_base, "HTTP nack: first backoff", true);
  cli.AddDuration("retry-max", flags_.retry_max, "HTTP nack: backoff cap", true);
  cli.AddDuration("max-reserve-wait", flags_.max_reserve_wait, "HTTP reserve: longest long poll",
                  true);
  cli.AddOption("store", flags_.store,
                "memory: the engine (+ --data log); postgres: a table shared by many instances "
                "(HTTP only)")
      ->check(CLI::IsMember({"memory", "postgres"}));
  cli.AddOption("postgres-url", flags_.postgres_url,
                "libpq conninfo or URI for --store postgres (host=10.0.0.5 dbname=jobs user=app)");
  cli.AddOption("pg-max-connections", flags_.pg_max_connections, "PostgreSQL connections, at most")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000}));
  cli.AddDuration("pg-timeout", flags_.pg_timeout, "Deadline of one PostgreSQL statement");
  cli.AddDuration("pg-max-poll", flags_.pg_max_poll,
                  "A waiting reserve looks again at least this often without a notification");
}

core::Result<void> JobQueueModule::InstallPostgres(core::App& app) {
  if (flags_.beanstalkd) {
    return Bad(
        "--store postgres serves the HTTP API only: the beanstalkd protocol runs on the in-memory "
        "engine. Add --no-beanstalkd, or use --store memory");
  }
  if (!flags_.data.empty()) {
    return Bad(
        "--store postgres keeps jobs in PostgreSQL: --data (the write-ahead log) is for "
        "--store memory");
  }
  if (flags_.postgres_url.empty()) return Bad("--store postgres needs --postgres-url");
  core::pg::PgPoolOptions po;
  po.conninfo = flags_.postgres_url;
  po.max_connections = flags_.pg_max_connections;
  po.query_timeout = flags_.pg_timeout;
  po.acquire_timeout = flags_.pg_timeout;
  pool_ = std::make_unique<core::pg::PgPool>(po);
  jobs_store::PgJobStoreOptions so;
  so.max_job_bytes = flags_.max_job_bytes;
  so.max_jobs = flags_.max_jobs;
  so.retry = {flags_.max_attempts, flags_.retry_base, flags_.retry_max};
  so.max_poll = flags_.pg_max_poll;
  pg_store_ = std::make_unique<jobs_store::PgJobStore>(*pool_, so, flags_.postgres_url);
  core::Result<void> migrated = core::RunNow(pg_store_->Migrate());
  if (!migrated) return Bad("--postgres-url: " + migrated.error().detail);
  pg_store_->Start();
  store_ = pg_store_.get();
  RegisterPgJobMetrics(registry_, *pg_store_, *pool_);
  HttpApiOptions ho;
  ho.max_reserve_wait = flags_.max_reserve_wait;
  api_ = std::make_unique<JobsHttpApi>(*store_, ho);
  api_->Register(app.router());
  return {};
}

core::Result<void> JobQueueModule::Install(core::App& app) {
  if (flags_.store == "postgres") return InstallPostgres(app);
  const core::Clock& clock = core::SystemClock::Instance();
  auto fsync = wal::ParseFsyncPolicy(flags_.fsync);
  if (!fsync) return fsync.error();
  if (!flags_.data.empty()) {
    auto opened = wal::Wal::Open({flags_.data, *fsync, flags_.wal_segment_bytes}, clock, WallNowNs);
    if (!opened) return opened.error();
    log_ = std::move(*opened);
  }
  jobs::EngineOptions eo;
  eo.max_job_bytes = flags_.max_job_bytes;
  eo.max_jobs = flags_.max_jobs;
  eo.max_total_bytes = flags_.max_bytes;
  eo.max_tubes = flags_.max_tubes;
  engine_ = std::make_unique<jobs::Engine>(eo, clock, log_.get());
  if (log_) {
    wal::RecoveryReport report;
    if (auto r = log_->Recover(*engine_, &report); !r) return r.error();
    for (const std::string& w : report.warnings) core::log::Warn("wal recovery", {{"detail", w}});
    core::log::Info("wal recovered", {{"jobs", report.jobs},
                                      {"records", report.records},
                                      {"segments", report.segments},
                                      {"torn_tails", report.torn_tails},
                                      {"corrupt_records", report.corrupt_records}});
  }
  protocol_ = std::make_unique<beanstalk::Service>(*engine_, clock);
  if (log_) {
    protocol_->SetLogFigures([log = log_.get()] {
      const wal::WalFigures w = log->Figures();
      return beanstalk::LogFigures{w.oldest_segment, w.current_segment, w.records_migrated,
                                   w.records_written, w.segment_bytes};
    });
  }
  host_ = app.server_options().host;
  threads_ =
      flags_.beanstalkd_threads > 0 ? flags_.beanstalkd_threads : app.server_options().threads;
  RegisterJobMetrics(registry_, *engine_, log_.get());
  engine_store_ = std::make_unique<jobs_store::EngineJobStore>(
      *engine_, log_.get(),
      jobs::RetryPolicy{flags_.max_attempts, flags_.retry_base, flags_.retry_max});
  store_ = engine_store_.get();
  HttpApiOptions ho;
  ho.max_reserve_wait = flags_.max_reserve_wait;
  api_ = std::make_unique<JobsHttpApi>(*store_, ho);
  api_->Register(app.router());
  return {};
}

core::Result<void> JobQueueModule::Start(core::Server&) {
  std::signal(SIGUSR1, OnSigUsr1);  // drain mode: refuse puts, keep serving everything else
  if (pg_store_) {                  // no engine clock to move: only the drain signal to watch
    ticker_ = std::make_unique<core::Ticker>(flags_.tick_interval, [s = pg_store_.get()] {
      if (g_drain_requested && !s->draining()) {
        s->SetDraining(true);
        core::log::Info("drain mode: new jobs are refused", {});
      }
    });
    return {};
  }
  if (flags_.beanstalkd) {
    beanstalkd_ = std::make_unique<BeanstalkServer>(
        *protocol_, log_.get(),
        core::TextProtocolServerOptions{.host = host_,
                                        .port = static_cast<std::uint16_t>(flags_.beanstalkd_port),
                                        .threads = threads_,
                                        .max_connections = flags_.beanstalkd_max_connections,
                                        .read_timeout = flags_.beanstalkd_read_timeout});
    if (auto r = beanstalkd_->Listen(); !r) return r.error();  // "beanstalkd: ..."
    beanstalkd_->Start();  // prints "beanstalkd protocol on HOST:PORT"
  }
  ticker_ = std::make_unique<core::Ticker>(flags_.tick_interval, [e = engine_.get()] {
    if (g_drain_requested && !e->draining()) {
      e->SetDraining(true);
      core::log::Info("drain mode: new jobs are refused", {});
    }
    e->Tick();
  });
  return {};
}

void JobQueueModule::Stop() {
  if (store_ != nullptr) store_->SetDraining(true);
}

void JobQueueModule::Release() {
  if (pg_store_) {
    // Leases live in the table: what a worker still holds comes back when its TTR runs out.
    if (ticker_) ticker_->Stop();
    pg_store_->Stop();
    if (pool_) pool_->Close();
    return;
  }
  if (!engine_) return;
  // HTTP has drained. Workers on the beanstalkd port get until --drain-timeout to finish the jobs
  // they hold (puts are refused meanwhile); what is still reserved then is ready again after a
  // restart (at-least-once).
  const auto until = std::chrono::steady_clock::now() + flags_.drain_timeout;
  // Only jobs held by connected workers: HTTP leases have no connection to finish them on.
  while (beanstalkd_ && engine_->Stats().held > 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (beanstalkd_) beanstalkd_->Stop();
  if (ticker_) ticker_->Stop();
  if (log_) log_->Stop();
  beanstalkd_.reset();
}

}  // namespace jobs_server
