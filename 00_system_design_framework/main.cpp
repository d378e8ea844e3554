// sd-framework: the walking skeleton every service copies — the core App, observability, health
// probes and one handler. main.cpp is only the composition root: modules, routes, run.
#include "05_observability_basics_mini/http/observability_middleware.hpp"
#include "core/http/app.hpp"

namespace {

// The seed-05 style greeting. Real services keep handlers this thin and put rules in a service
// class.
core::Task<void> Hello(core::Exchange& ex) {
  ex.Json(core::http::status::ok, R"({"message":"hello"})");
  co_return;
}

}  // namespace

int main(int argc, char** argv) {
  core::App app({"sd-framework", "Walking skeleton: the shared HTTP core and /hello", 9000});
  obs::HttpObservability o11y;  // request ids, trace context, /metrics, access logs
  app.Add(o11y);
  app.router().Get("/hello", Hello);
  return app.Run(argc, argv);
}
