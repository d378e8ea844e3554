// The cache's counters as Prometheus families, read at scrape time from Cache::Stats():
//   cache_hits_total, cache_misses_total, cache_expirations_total (lazy + active),
//   cache_evictions_total{policy}, cache_items, cache_bytes, cache_limit_bytes,
//   cache_memcached_connections (when a memcached service is given).
#pragma once

#include "04_cache_service_mini/cache/cache.hpp"
#include "04_cache_service_mini/memcached/memcached_session.hpp"
#include "05_observability_basics_mini/metrics/registry.hpp"

namespace cache {

// `cache` (and `memcached`, which may be null) must outlive the registry's scrapes.
void RegisterCacheMetrics(obs::Registry& registry, const Cache& cache,
                          const MemcachedService* memcached);

}  // namespace cache
