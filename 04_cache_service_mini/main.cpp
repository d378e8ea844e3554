// sd-cache: a byte-budgeted cache with TTLs and a choice of eviction policy (LRU, S3-FIFO, SIEVE,
// W-TinyLFU), sharded, speaking HTTP on 9004 and the memcached text protocol on 11211.
// Composition root only: the cache is 04's module (server/cache_module.hpp).
#include "04_cache_service_mini/server/cache_module.hpp"
#include "05_observability_basics_mini/http/observability_middleware.hpp"
#include "core/http/app.hpp"

int main(int argc, char** argv) {
  core::App app({"sd-cache", "TTL + eviction cache over HTTP and the memcached protocol", 9004});
  obs::HttpObservability o11y;
  cache::CacheModule cache(o11y.registry());
  app.Add(o11y).Add(cache);
  return app.Run(argc, argv);
}
