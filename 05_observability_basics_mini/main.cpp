// sd-observability: the seed's 05 surface (/hello, /error, /metrics) with real observability, plus
// POST /test (off unless --test-endpoint), the endpoint the W3C trace-context conformance harness
// drives. Composition root only.
#include <boost/json/serialize.hpp>

#include "05_observability_basics_mini/http/observability_middleware.hpp"
#include "05_observability_basics_mini/http/trace_test_endpoint.hpp"
#include "core/http/app.hpp"

namespace {

core::Task<void> Hello(core::Exchange& ex) {
  const obs::RequestContext* context = obs::ContextOf(ex);
  boost::json::object body{{"message", "hello"},
                           {"request_id", context ? context->request_id : std::string()}};
  ex.Json(core::http::status::ok, boost::json::serialize(body));
  co_return;
}

core::Task<void> Fail(core::Exchange& ex) {
  obs::LogFor(ex, core::log::Level::kWarn, "simulated failure requested");
  ex.Fail(core::Error(core::Code::kInternal, "simulated failure (this endpoint always fails)"));
  co_return;
}

}  // namespace

int main(int argc, char** argv) {
  core::App app({"sd-observability", "Request IDs, trace context, JSON logs, metrics", 9005});
  obs::HttpObservability o11y;
  obs::TraceTestEndpoint test_endpoint;
  app.Add(o11y).Add(test_endpoint);
  app.router().Get("/hello", Hello);
  app.router().Get("/error", Fail);
  return app.Run(argc, argv);
}
