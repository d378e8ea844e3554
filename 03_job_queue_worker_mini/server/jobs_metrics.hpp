// sd-jobqueue's /metrics families, registered in 05's registry: jobs by state and tube (computed
// at scrape time from the engine), the engine's cumulative counters (one family each, derived from
// JOBS_ENGINE_COUNTERS), bytes held, and the write-ahead log's fsync latency histogram.
#pragma once

#include "03_job_queue_worker_mini/engine/engine.hpp"
#include "03_job_queue_worker_mini/wal/wal.hpp"
#include "05_observability_basics_mini/metrics/registry.hpp"

namespace jobs_server {

// `engine` and `log` (optional) must outlive the registry's scrapes. Call once per registry.
void RegisterJobMetrics(obs::Registry& registry, jobs::Engine& engine, wal::Wal* log);

}  // namespace jobs_server
