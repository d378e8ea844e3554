// sd-cache's HTTP JSON API, beside the memcached protocol on its own port:
//
//   PUT    /v1/cache/{key}   body = the value; TTL from ?ttl=SECONDS or X-Cache-TTL (0 = never;
//                            absent = --default-ttl; above 100 years = 100 years) → 204;
//                            400 bad key/TTL; 413 too large; 503 the room is held by values
//                            still arriving on the memcached port
//   GET    /v1/cache/{key}   → 200 the value (application/octet-stream), X-Cache-TTL-Remaining
//                            when it expires; 404 problem when absent or expired
//   DELETE /v1/cache/{key}   → 204, or 404
//   GET    /v1/stats         → memcached's stat names as JSON, plus "policy"
//
// Keys follow memcached's rules (1–250 bytes, none a space, CR, LF or NUL), percent-decoded
// from the path, so one key means the same item through either protocol.
#pragma once

#include "04_cache_service_mini/cache/cache.hpp"
#include "core/base/clock.hpp"
#include "core/http/router.hpp"

namespace cache {

class CacheHttpApi {
 public:
  // `cache` and `clock` must outlive the router the routes are added to.
  CacheHttpApi(Cache& cache, const core::Clock& clock) : cache_(cache), clock_(clock) {}

  void Register(core::Router& router);

  core::Task<void> Put(core::Exchange& ex);
  core::Task<void> Get(core::Exchange& ex);
  core::Task<void> Delete(core::Exchange& ex);
  core::Task<void> Stats(core::Exchange& ex);

 private:
  Cache& cache_;
  const core::Clock& clock_;
};

// The TTL of a PUT: nullopt = absent (use the default), else whole seconds (0 = never).
// Errors: kInvalidArgument for anything but 0..9999999999.
core::Result<std::optional<std::int64_t>> ParseTtl(const core::Exchange& ex);

}  // namespace cache
