// 03 as a module: the job store behind HTTP (/v1/...) — the in-memory engine with its write-ahead
// log in --data, or with --store postgres a table shared by many instances — and, on its own
// port, the beanstalkd protocol (in-memory engine only), the engine's clock ticking in the
// background, and the metrics in 05's registry.
//
//   ```cpp
//   #include "05_observability_basics_mini/http/observability_middleware.hpp"
//   int main(int argc, char** argv) {
//     core::App app({"sd-jobqueue", "Durable job queue", 9003});
//     obs::HttpObservability o11y;
//     jobs_server::JobQueueModule jobs(o11y.registry());
//     app.Add(o11y).Add(jobs);
//     return app.Run(argc, argv);
//   }
//   ```
//
// Install recovers the log (if --data) and mounts the HTTP API; Start binds the beanstalkd port
// (printing "beanstalkd protocol on HOST:PORT") and starts the ticker; Stop turns on drain mode
// (puts refused, everything else served); Release waits up to --drain-timeout for reserved jobs
// to be finished, then stops the port, the ticker and the log. SIGUSR1 turns on drain mode
// without stopping.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "03_job_queue_worker_mini/engine/engine.hpp"
#include "03_job_queue_worker_mini/protocol/beanstalk_service.hpp"
#include "03_job_queue_worker_mini/server/beanstalk_server.hpp"
#include "03_job_queue_worker_mini/server/http_api.hpp"
#include "03_job_queue_worker_mini/store/job_store.hpp"
#include "03_job_queue_worker_mini/store/pg_job_store.hpp"
#include "03_job_queue_worker_mini/wal/wal.hpp"
#include "05_observability_basics_mini/metrics/registry.hpp"
#include "core/base/ticker.hpp"
#include "core/http/app.hpp"

namespace jobs_server {

class JobQueueModule final : public core::Module {
 public:
  // `registry` must outlive the module.
  explicit JobQueueModule(obs::Registry& registry) : registry_(registry) {}
  ~JobQueueModule() override;

  void AddFlags(core::ServiceCli& cli) override;
  // Errors: a bad --fsync, an unusable --data directory; --store postgres without --postgres-url,
  // with --data or with the beanstalkd port on, or a database that cannot be reached.
  core::Result<void> Install(core::App& app) override;
  // Errors: the beanstalkd port cannot be bound.
  core::Result<void> Start(core::Server& server) override;
  void Stop() override;
  void Release() override;

  // Valid after Install with --store memory.
  jobs::Engine& engine() { return *engine_; }

 private:
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
    int beanstalkd_threads = 0;  // 0 = --threads
    std::size_t beanstalkd_max_connections = 4096;
    std::chrono::milliseconds beanstalkd_read_timeout{10'000};
    std::chrono::milliseconds tick_interval{10};
    std::chrono::milliseconds drain_timeout{5'000};
    std::uint32_t max_attempts = 5;
    std::chrono::milliseconds retry_base{1'000};
    std::chrono::milliseconds retry_max{300'000};
    std::chrono::milliseconds max_reserve_wait{30'000};
    std::string store = "memory";
    std::string postgres_url;
    std::size_t pg_max_connections = 16;
    std::chrono::milliseconds pg_timeout{5'000};
    std::chrono::milliseconds pg_max_poll{1'000};
  };

  core::Result<void> InstallPostgres(core::App& app);

  obs::Registry& registry_;
  Flags flags_;
  std::string host_;
  int threads_ = 1;
  std::unique_ptr<wal::Wal> log_;
  std::unique_ptr<jobs::Engine> engine_;
  std::unique_ptr<beanstalk::Service> protocol_;
  std::unique_ptr<BeanstalkServer> beanstalkd_;
  std::unique_ptr<core::pg::PgPool> pool_;
  std::unique_ptr<jobs_store::PgJobStore> pg_store_;
  std::unique_ptr<jobs_store::JobStore> engine_store_;
  jobs_store::JobStore* store_ = nullptr;  // the one of the two in use
  std::unique_ptr<JobsHttpApi> api_;
  std::unique_ptr<core::Ticker> ticker_;
};

}  // namespace jobs_server
