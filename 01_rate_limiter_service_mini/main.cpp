// sd-ratelimiter: the seed's GET /ping behind the rate-limit middleware (token bucket 2/s, burst 5,
// keyed by client IP) and the POST /v1/check decision API, with rules from flags or a JSON file,
// state in a sharded bounded store or in Redis (--redis), shared by every instance. Composition
// root only: the limiter is 01's module (http/ratelimit_module.hpp).
#include "01_rate_limiter_service_mini/http/ratelimit_module.hpp"
#include "05_observability_basics_mini/http/observability_middleware.hpp"
#include "core/http/app.hpp"

namespace {

core::Task<void> Ping(core::Exchange& ex) {
  ex.Json(core::http::status::ok, R"({"message":"pong"})");
  co_return;
}

}  // namespace

int main(int argc, char** argv) {
  core::App app({"sd-ratelimiter", "Per-client rate limits: middleware and decision API", 9001});
  obs::HttpObservability o11y;
  ratelimit::RateLimitModule limits(o11y.registry(), {.guarded_routes = {"/ping"}});
  app.Add(o11y).Add(limits);
  app.router().Get("/ping", Ping);
  return app.Run(argc, argv);
}
