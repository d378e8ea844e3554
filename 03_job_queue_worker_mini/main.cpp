// sd-jobqueue: a bounded, durable job queue speaking the beanstalkd protocol (11300) and HTTP
// (9003), with the write-ahead log in --data. `sd-jobqueue demo` runs the seed's worker-pool
// lesson instead. Composition root only.
//
// Written on today's core (ServiceCli + RunService, 04's transport pattern); it becomes a
// core::Module on core::App and the shared TCP server when those land (issue 9).
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "03_job_queue_worker_mini/engine/engine.hpp"
#include "03_job_queue_worker_mini/lesson/seed_demo.hpp"
#include "03_job_queue_worker_mini/protocol/beanstalk_service.hpp"
#include "03_job_queue_worker_mini/server/beanstalk_server.hpp"
#include "03_job_queue_worker_mini/server/jobs_metrics.hpp"
#include "03_job_queue_worker_mini/wal/wal.hpp"
#include "05_observability_basics_mini/http/observability_middleware.hpp"
#include "core/base/log.hpp"
#include "core/base/ticker.hpp"
#include "core/http/health.hpp"
#include "core/http/service.hpp"

namespace {

struct Flags {
  std::size_t max_job_bytes = 65535;
  std::size_t max_jobs = 1'000'000;
  std::size_t max_bytes = std::size_t{1} << 30;
  std::size_t max_tubes = 10'000;
  std::string data;
  std::string fsync = "always";
  std::size_t wal_segment_bytes = std::size_t{64} << 20;
  bool beanstalkd = true;
  int beanstalkd_port = 11300;
  int beanstalkd_threads = 0;
  std::size_t beanstalkd_max_connections = 4096;
  std::string beanstalkd_read_timeout = "10s";
  std::string tick_interval = "10ms";
  std::string drain_timeout = "5s";
};

int ConfigError(const std::string& message) {
  std::fprintf(stderr, "sd-jobqueue: %s\n", message.c_str());
  return 2;
}

int RunDemo(int argc, char** argv) {
  lesson::DemoOptions o;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--policy=reject" ||
        (a == "--policy" && i + 1 < argc && std::string(argv[++i]) == "reject")) {
      o.policy = lesson::FullPolicy::kReject;
    }
  }
  lesson::RunSeedDemo(o, std::cout);
  return 0;
}

volatile std::sig_atomic_t g_drain_requested = 0;
extern "C" void OnSigUsr1(int) { g_drain_requested = 1; }

std::int64_t WallNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "demo") return RunDemo(argc, argv);

  core::ServiceCli cli(
      {"sd-jobqueue", "bounded durable job queue: beanstalkd protocol + HTTP", 9003});
  Flags f;
  auto& app = cli.app();
  app.add_option("--max-job-bytes", f.max_job_bytes, "Largest job body (beanstalkd -z)")
      ->envname(cli.Env("max-job-bytes"))
      ->check(CLI::Range(std::size_t{1}, std::size_t{64} << 20));
  app.add_option("--max-jobs", f.max_jobs, "Most jobs held; a put past it is refused")
      ->envname(cli.Env("max-jobs"))
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 32));
  app.add_option("--max-bytes", f.max_bytes, "Most bytes held by jobs; a put past it is refused")
      ->envname(cli.Env("max-bytes"))
      ->check(CLI::Range(std::size_t{1} << 16, std::size_t{1} << 40));
  app.add_option("--max-tubes", f.max_tubes, "Most tubes at once")
      ->envname(cli.Env("max-tubes"))
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 24));
  app.add_option("--data", f.data, "Write-ahead log directory (empty: in memory only)")
      ->envname(cli.Env("data"));
  app.add_option("--fsync", f.fsync, "always | every=<ms> | never")->envname(cli.Env("fsync"));
  app.add_option("--wal-segment-bytes", f.wal_segment_bytes, "Log segment size")
      ->envname(cli.Env("wal-segment-bytes"))
      ->check(CLI::Range(std::size_t{4096}, std::size_t{1} << 32));
  app.add_flag("--beanstalkd,!--no-beanstalkd", f.beanstalkd, "Serve the beanstalkd protocol")
      ->envname(cli.Env("beanstalkd"));
  app.add_option("--beanstalkd-port", f.beanstalkd_port, "beanstalkd protocol port (0 = any)")
      ->envname(cli.Env("beanstalkd-port"))
      ->check(CLI::Range(0, 65535));
  app.add_option("--beanstalkd-threads", f.beanstalkd_threads, "beanstalkd threads (0 = --threads)")
      ->envname(cli.Env("beanstalkd-threads"))
      ->check(CLI::Range(0, 256));
  app.add_option("--beanstalkd-max-connections", f.beanstalkd_max_connections, "Connection cap")
      ->envname(cli.Env("beanstalkd-max-connections"))
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  app.add_option("--beanstalkd-read-timeout", f.beanstalkd_read_timeout,
                 "A started command or job body must arrive within this")
      ->envname(cli.Env("beanstalkd-read-timeout"));
  app.add_option("--tick-interval", f.tick_interval, "How often time moves jobs (delays, TTRs)")
      ->envname(cli.Env("tick-interval"));
  app.add_option("--drain-timeout", f.drain_timeout,
                 "On SIGTERM: how long reserved jobs may take to finish before exit")
      ->envname(cli.Env("drain-timeout"));
  if (auto rc = cli.Parse(argc, argv)) return *rc;

  const auto read_timeout = core::ParseDuration(f.beanstalkd_read_timeout);
  const auto tick = core::ParseDuration(f.tick_interval);
  const auto drain_timeout = core::ParseDuration(f.drain_timeout);
  if (!read_timeout || read_timeout->count() == 0) {
    return ConfigError("--beanstalkd-read-timeout: not a positive duration");
  }
  if (!tick || tick->count() == 0) return ConfigError("--tick-interval: not a positive duration");
  if (!drain_timeout) return ConfigError("--drain-timeout: not a duration");
  const auto fsync = wal::ParseFsyncPolicy(f.fsync);
  if (!fsync) return ConfigError(fsync.error().detail);

  const core::Clock& clock = core::SystemClock::Instance();
  std::unique_ptr<wal::Wal> log;
  if (!f.data.empty()) {
    auto opened = wal::Wal::Open({f.data, *fsync, f.wal_segment_bytes}, clock, WallNowNs);
    if (!opened) return ConfigError(opened.error().detail);
    log = std::move(*opened);
  }
  jobs::EngineOptions eo;
  eo.max_job_bytes = f.max_job_bytes;
  eo.max_jobs = f.max_jobs;
  eo.max_total_bytes = f.max_bytes;
  eo.max_tubes = f.max_tubes;
  jobs::Engine engine(eo, clock, log.get());
  if (log) {
    wal::RecoveryReport report;
    if (auto r = log->Recover(engine, &report); !r) return ConfigError(r.error().detail);
    for (const std::string& w : report.warnings) core::log::Warn("wal recovery", {{"detail", w}});
    core::log::Info("wal recovered", {{"jobs", report.jobs},
                                      {"records", report.records},
                                      {"segments", report.segments},
                                      {"torn_tails", report.torn_tails},
                                      {"corrupt_records", report.corrupt_records}});
  }

  beanstalk::Service protocol(engine, clock);
  if (log) {
    protocol.SetLogFigures([&log] {
      const wal::WalFigures w = log->Figures();
      return beanstalk::LogFigures{w.oldest_segment, w.current_segment, w.records_migrated,
                                   w.records_written, w.segment_bytes};
    });
  }
  const int threads = cli.server_options().threads;
  std::unique_ptr<jobs_server::BeanstalkServer> beanstalkd;
  if (f.beanstalkd) {
    beanstalkd = std::make_unique<jobs_server::BeanstalkServer>(
        protocol, log.get(),
        jobs_server::BeanstalkServerOptions{
            .host = cli.server_options().host,
            .port = static_cast<std::uint16_t>(f.beanstalkd_port),
            .threads = f.beanstalkd_threads > 0 ? f.beanstalkd_threads : threads,
            .max_connections = f.beanstalkd_max_connections,
            .read_timeout = *read_timeout});
    if (auto r = beanstalkd->Listen(); !r) return ConfigError("beanstalkd: " + r.error().detail);
  }

  core::Router router;
  core::Pipeline pipeline(router);
  core::Readiness readiness;
  obs::HttpObservability o11y;
  o11y.Install(router, pipeline);
  jobs_server::RegisterJobMetrics(o11y.registry(), engine, log.get());
  core::AddHealthRoutes(router, readiness);

  std::signal(SIGUSR1, OnSigUsr1);  // drain mode: refuse puts, keep serving everything else
  core::Ticker ticker(*tick, [&engine] {
    if (g_drain_requested && !engine.draining()) {
      engine.SetDraining(true);
      core::log::Info("drain mode: new jobs are refused", {});
    }
    engine.Tick();
  });
  const int rc = core::RunService(cli, pipeline, readiness, [&](core::Server& server) {
    if (beanstalkd) {
      beanstalkd->Start();
      core::log::Info("beanstalkd protocol listening", {{"port", beanstalkd->port()}});
      std::printf("beanstalkd protocol on %s:%u\n", cli.server_options().host.c_str(),
                  static_cast<unsigned>(beanstalkd->port()));
      std::fflush(stdout);
    }
    server.OnShutdown([&engine] { engine.SetDraining(true); });
  });
  // HTTP has drained. Give workers on the beanstalkd port until --drain-timeout to finish the
  // jobs they hold (puts are refused meanwhile), then stop.
  const auto until = std::chrono::steady_clock::now() + *drain_timeout;
  while (engine.Stats().reserved > 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (beanstalkd) beanstalkd->Stop();
  ticker.Stop();
  if (log) log->Stop();
  beanstalkd.reset();
  return rc;
}
