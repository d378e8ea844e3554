// sd-reliability: a flaky-upstream lab. Simulated upstreams (error rates, latency distributions,
// outages, capacity) served by this process, and GET /call/{name} calling them — or any external
// upstream — through the reliability pipeline (timeouts, retries with jittered backoff and a
// budget, a circuit breaker, a bulkhead, hedging, adaptive throttling), answering with the result
// and the trace of every attempt. Composition root only.
#include "05_observability_basics_mini/http/observability_middleware.hpp"
#include "06_reliability_patterns_mini/http/reliability_module.hpp"
#include "core/http/app.hpp"

int main(int argc, char** argv) {
  core::App app(
      {"sd-reliability", "Timeouts, retries, budgets, breakers, bulkheads, hedging", 9006});
  obs::HttpObservability o11y;
  reliability::ReliabilityModule lab(o11y.registry());
  app.Add(o11y).Add(lab);
  return app.Run(argc, argv);
}
