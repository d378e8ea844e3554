// sd-shortener's own metrics, scraped at GET /metrics beside 05's RED metrics: what the service
// did (links created, code collisions, where redirects were answered from), the visit pipeline
// (recorded, dropped, written, lost, pending), the caches, and the store (up, and its engine's
// queue or pool). Read at scrape time from the components' counters: nothing on the hot path.
#pragma once

#include "02_url_shortener_service_mini/service/link_cache.hpp"
#include "02_url_shortener_service_mini/service/shortener.hpp"
#include "02_url_shortener_service_mini/service/store_health.hpp"
#include "02_url_shortener_service_mini/service/visit_recorder.hpp"
#include "02_url_shortener_service_mini/store/sqlite_executor.hpp"
#include "05_observability_basics_mini/metrics/registry.hpp"
#include "core/pg/pg_pool.hpp"

namespace shortener {

struct MetricSources {
  const Shortener* service = nullptr;
  const VisitRecorder* visits = nullptr;
  const LinkCache* cache = nullptr;
  const StoreHealth* health = nullptr;
  const SqliteExecutor* sqlite = nullptr;  // one of these two
  const core::pg::PgPool* postgres = nullptr;
};

// Adds the collector; every source must outlive the registry's scrapes.
void RegisterShortenerMetrics(obs::Registry& registry, MetricSources sources);

}  // namespace shortener
