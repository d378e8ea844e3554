#include "03_job_queue_worker_mini/server/jobs_metrics.hpp"

#include <memory>
#include <string>
#include <vector>

namespace jobs_server {

namespace {

// Jobs by state and tube, read from the engine at scrape time (no second copy of the counts).
class JobsByState final : public obs::Collector {
 public:
  explicit JobsByState(jobs::Engine& engine) : engine_(engine) {}
  std::vector<std::string> Describe() const override { return {"jobqueue_jobs"}; }
  void Collect(std::vector<obs::FamilySnapshot>& out) const override {
    obs::FamilySnapshot f;
    f.name = "jobqueue_jobs";
    f.help = "Jobs held, by state and tube.";
    f.type = obs::MetricType::kGauge;
    f.label_names = {"state", "tube"};
    for (const jobs::TubeStats& t : engine_.StatsAllTubes()) {
      const std::pair<const char*, std::size_t> states[] = {{"ready", t.ready},
                                                            {"reserved", t.reserved},
                                                            {"delayed", t.delayed},
                                                            {"buried", t.buried}};
      for (const auto& [state, n] : states) {
        f.metrics.push_back(obs::MetricSnapshot{{state, t.name}, static_cast<double>(n)});
      }
    }
    out.push_back(std::move(f));
  }

 private:
  jobs::Engine& engine_;
};

}  // namespace

void RegisterJobMetrics(obs::Registry& registry, jobs::Engine& engine, wal::Wal* log) {
  registry.AddCollector(std::make_shared<JobsByState>(engine));
#define JOBS_COUNTER_METRIC(field, suffix, help)                                 \
  registry.AddCallbackCounter("jobqueue_" suffix "_total", help ".", [&engine] { \
    return static_cast<double>(engine.Stats().counters.field);                   \
  });
  JOBS_ENGINE_COUNTERS(JOBS_COUNTER_METRIC)
#undef JOBS_COUNTER_METRIC
  registry.AddCallbackGauge("jobqueue_bytes", "Bytes held by jobs (headers and bodies).",
                            [&engine] { return static_cast<double>(engine.Stats().bytes); });
  registry.AddCallbackGauge("jobqueue_limit_jobs", "The job count limit (--max-jobs).",
                            [&engine] { return static_cast<double>(engine.options().max_jobs); });
  registry.AddCallbackGauge("jobqueue_draining", "1 in drain mode (puts refused), else 0.",
                            [&engine] { return engine.draining() ? 1.0 : 0.0; });
  if (log == nullptr) return;
  auto& fsync = registry.AddHistogram(
      {"jobqueue_wal_fsync_seconds", "Write-ahead log fsync latency.", {}},
      {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1});
  obs::Histogram& h = fsync.WithLabelValues({});
  log->SetFsyncObserver([&h](double seconds) { h.Observe(seconds); });
  registry.AddCallbackCounter(
      "jobqueue_wal_records_written_total", "Records appended to the log.",
      [log] { return static_cast<double>(log->Figures().records_written); });
  registry.AddCallbackCounter("jobqueue_wal_bytes_written_total", "Bytes written to the log.",
                              [log] { return static_cast<double>(log->Figures().bytes_written); });
  registry.AddCallbackGauge("jobqueue_wal_segments", "Log segment files.",
                            [log] { return static_cast<double>(log->Figures().segments); });
}

void RegisterPgJobMetrics(obs::Registry& registry, jobs_store::PgJobStore& store,
                          core::pg::PgPool& pool) {
#define JOBS_PG_COUNTER_METRIC(field, suffix, help)                  \
  registry.AddCallbackCounter("jobqueue_" suffix "_total", help ".", \
                              [&store] { return static_cast<double>(store.Counters().field); });
  JOBS_ENGINE_COUNTERS(JOBS_PG_COUNTER_METRIC)
#undef JOBS_PG_COUNTER_METRIC
  registry.AddCallbackGauge("jobqueue_bytes",
                            "Bytes of job bodies in PostgreSQL, as of the last /v1/stats.",
                            [&store] { return static_cast<double>(store.last_known_bytes()); });
  registry.AddCallbackGauge("jobqueue_draining", "1 in drain mode (puts refused), else 0.",
                            [&store] { return store.draining() ? 1.0 : 0.0; });
  registry.AddCallbackCounter("jobqueue_pg_notifications_total",
                              "NOTIFY messages the listener received.",
                              [&store] { return static_cast<double>(store.notifications()); });
  registry.AddCallbackCounter("jobqueue_pg_queries_total", "Statements sent to PostgreSQL.",
                              [&pool] { return static_cast<double>(pool.Stats().queries); });
  registry.AddCallbackCounter("jobqueue_pg_timeouts_total",
                              "PostgreSQL statements or acquires that ran out of time.",
                              [&pool] { return static_cast<double>(pool.Stats().timeouts); });
  registry.AddCallbackGauge("jobqueue_pg_connections", "PostgreSQL connections open.",
                            [&pool] { return static_cast<double>(pool.Stats().open); });
}

}  // namespace jobs_server
