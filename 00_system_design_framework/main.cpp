// sd-framework: the walking skeleton every service copies — the core server, observability, health
// probes and one handler. main.cpp is only the composition root: flags, routes, middleware, run.
#include "05_observability_basics_mini/http/observability_middleware.hpp"
#include "core/http/service.hpp"

namespace {

// The seed-05 style greeting. Real services keep handlers this thin and put rules in a service
// class.
core::Task<void> Hello(core::Exchange& ex) {
  ex.Json(core::http::status::ok, R"({"message":"hello"})");
  co_return;
}

}  // namespace

int main(int argc, char** argv) {
  core::ServiceCli cli({"sd-framework", "Walking skeleton: the shared HTTP core and /hello", 9000});
  bool observability = true;
  cli.app()
      .add_flag("--observability,!--no-observability", observability,
                "Request ids, tracing, metrics and access logs (off only to measure the bare core)")
      ->envname(cli.Env("observability"));
  if (auto rc = cli.Parse(argc, argv)) return *rc;

  core::Router router;
  core::Pipeline pipeline(router);
  core::Readiness readiness;
  obs::HttpObservability o11y;  // request ids, trace context, /metrics, access logs
  if (observability) o11y.Install(router, pipeline);
  core::AddHealthRoutes(router, readiness);
  router.Get("/hello", Hello);

  return core::RunService(cli, pipeline, readiness);
}
