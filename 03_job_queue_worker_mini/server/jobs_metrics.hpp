// sd-jobqueue's /metrics families, registered in 05's registry: jobs by state and tube (computed
// at scrape time from the engine), the engine's cumulative counters (one family each, derived from
// JOBS_ENGINE_COUNTERS), bytes held, and the write-ahead log's fsync latency histogram.
#pragma once

#include "03_job_queue_worker_mini/engine/engine.hpp"
#include "03_job_queue_worker_mini/store/pg_job_store.hpp"
#include "03_job_queue_worker_mini/wal/wal.hpp"
#include "05_observability_basics_mini/metrics/registry.hpp"

namespace jobs_server {

// `engine` and `log` (optional) must outlive the registry's scrapes. Call once per registry.
void RegisterJobMetrics(obs::Registry& registry, jobs::Engine& engine, wal::Wal* log);

// The same counter families for --store postgres, counted by this instance (sum them across
// instances); jobqueue_bytes as of the last /v1/stats; the pool's figures as jobqueue_pg_*.
// `store` and `pool` must outlive the registry's scrapes.
void RegisterPgJobMetrics(obs::Registry& registry, jobs_store::PgJobStore& store,
                          core::pg::PgPool& pool);

}  // namespace jobs_server
