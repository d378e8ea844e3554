// The observability every service wires in as one module: request IDs, W3C trace context, RED
// metrics and JSON access logs, as the outermost middleware — so 404s, 405s, 429s and handler
// failures are all tagged, counted and logged — plus GET /metrics and outbound propagation.
//
//   ```cpp
//   core::Task<void> Hello(core::Exchange& ex, obs::CounterFamily& hellos) {
//     hellos.WithLabelValues({}).Inc();
//     obs::LogFor(ex, core::log::Level::kInfo, "greeting");  // with request_id and trace_id
//     ex.Text(core::http::status::ok, "hello\n", "text/plain");
//     co_return;
//   }
//   int main(int argc, char** argv) {
//     core::App app({"sd-hello", "GET /hello, observed", 9000});
//     obs::HttpObservability o11y;  // added first: the outermost middleware
//     // Other modules register their metrics in o11y.registry() too (RateLimitModule, ...).
//     obs::CounterFamily& hellos =
//         o11y.registry().AddCounter({.name = "hello_total", .help = "Greetings sent."});
//     app.Add(o11y);
//     app.router().Get("/hello", [&hellos](core::Exchange& ex) { return Hello(ex, hellos); });
//     return app.Run(argc, argv);
//   }
//   ```
//
// Flags: --observability / --no-observability (off only to measure the bare core; the registry
// still exists, nothing is served or recorded), --access-log / --no-access-log, and which requests
// get a line: --access-log-sample RATE and --access-log-slow DURATION (tracing/access_log_policy).
// Per request: accept a sane X-Request-ID or mint one (echoed on the response), continue or start
// a trace from traceparent/tracestate — both attached to the exchange as a RequestContext — time
// the request, record http_requests_total{method,route,code} and
// http_request_duration_seconds{method,route}, and log one access line {request_id, trace_id,
// span_id, method, route, status, duration_s, bytes_in, bytes_out, peer} — for every request, or
// for 5xx, slow ones and a trace-keyed sample of the rest. Connection-level rejections
// (400/408/413/431) go through the same accounting via the pipeline's rejection hook.
#pragma once

#include <chrono>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "05_observability_basics_mini/metrics/registry.hpp"
#include "05_observability_basics_mini/metrics/request_metrics.hpp"
#include "05_observability_basics_mini/tracing/access_log_policy.hpp"
#include "05_observability_basics_mini/tracing/trace_context.hpp"
#include "core/base/log.hpp"
#include "core/http/app.hpp"
#include "core/http/attributes.hpp"
#include "core/http/http_client.hpp"
#include "core/http/middleware.hpp"
#include "core/http/router.hpp"

namespace obs {

inline constexpr std::string_view kRequestIdHeader = "X-Request-ID";

// What this module attaches to every exchange it sees (core/http/attributes.hpp).
struct RequestContext {
  std::string request_id;
  ServerSpan span;  // the server span of this request (trace id, our span id, parent, tracestate)
};
inline const core::AttributeKey<const RequestContext> kRequestContext;

// The request's context, or null when observability is off for this service.
inline const RequestContext* ContextOf(const core::Exchange& ex) {
  return ex.attributes.Get(kRequestContext);
}

struct HttpObservabilityOptions {
  bool enabled = true;             // off: nothing installed (measures the bare core)
  bool access_log = true;          // one info-level JSON line per request (AccessLogPolicy's pick)
  bool sample_new_traces = false;  // trace-flags for traces we start (W3C default: not sampled)
  double access_log_sample = 1.0;  // fraction of non-5xx, non-slow requests logged, by trace id
  std::chrono::milliseconds access_log_slow{0};  // at least this slow: always logged (0: no rule)
};

class ObservabilityMiddleware final : public core::Middleware {
 public:
  // `metrics` must outlive the middleware.
  ObservabilityMiddleware(RequestMetrics& metrics, HttpObservabilityOptions options)
      : metrics_(metrics),
        options_(options),
        log_policy_({.sample_rate = options.access_log_sample, .slow = options.access_log_slow}) {}

  // Never throws: a handler exception becomes a 500 problem here, so it is still counted, logged
  // with its request id, and answered with X-Request-ID.
  core::Task<void> Handle(core::Exchange& ex, core::Next next) override;

  // Accounting for a request the connection rejected before the pipeline (see Pipeline). Its
  // access line follows the same policy, sampled by a fresh random draw (it has no trace).
  void OnRejection(core::Response& response, const boost::asio::ip::address& peer) const;

 private:
  void AccessLog(const core::Exchange& ex, std::chrono::nanoseconds elapsed) const;

  RequestMetrics& metrics_;
  HttpObservabilityOptions options_;
  AccessLogPolicy log_policy_;
};

// Registry + RED metrics + process/build metrics + the middleware, for one service: 05 as a
// module. The registry exists from construction, so other modules can register their metrics
// before anything is installed.
class HttpObservability final : public core::Module {
 public:
  explicit HttpObservability(HttpObservabilityOptions options = {});

  // Service metrics go here too (decisions, hits, queue depth); scraped at GET /metrics.
  Registry& registry() { return registry_; }

  // --observability and --access-log (each with its negation and environment name),
  // --access-log-sample and --access-log-slow.
  void AddFlags(core::ServiceCli& cli) override;
  // Install(app.router(), app.pipeline(), &app.client()) unless disabled. Never fails.
  core::Result<void> Install(core::App& app) override;
  // Adds the server's connection and request-body-budget counters to the registry.
  core::Result<void> Start(core::Server& server) override;

  // For composition without an App: adds GET /metrics to `router`, makes the middleware the
  // outermost in `pipeline` (call before adding the service's own), hooks connection-level
  // rejections, and — when `client` is given — makes it pass on X-Request-ID, a new traceparent
  // per call, and tracestate.
  void Install(core::Router& router, core::Pipeline& pipeline, core::HttpClient* client = nullptr);

 private:
  HttpObservabilityOptions options_;
  Registry registry_;
  RequestMetrics metrics_;
  std::shared_ptr<ObservabilityMiddleware> middleware_;
};

// Writes a log line carrying the request's identity (request_id, trace_id, span_id) before
// `fields`. Use from handlers so every line of a request can be found by its id.
void LogFor(const core::Exchange& ex, core::log::Level level, std::string_view message,
            std::initializer_list<core::log::Field> fields = {});

// The outbound hook Install() adds; exposed for services that build their own client set-up.
void PropagateContext(const core::Exchange* parent, core::Request& outbound);

}  // namespace obs
