// A service as a list of modules: what every main.cpp is made of.
//
//   ```cpp
//   #include "04_cache_service_mini/server/cache_module.hpp"
//   #include "05_observability_basics_mini/http/observability_middleware.hpp"
//   int main(int argc, char** argv) {
//     core::App app({"sd-cache", "TTL + eviction cache over HTTP and memcached", 9004});
//     obs::HttpObservability o11y;                // request ids, tracing, metrics, access logs
//     cache::CacheModule cache(o11y.registry());  // its flags, its routes, the memcached port
//     app.Add(o11y).Add(cache);
//     return app.Run(argc, argv);
//   }
//   ```
//
// A module is a reusable folder's one entry point (the gateway assembles itself from 01, 05 and 06
// this way): it adds its flags, builds itself from them — errors as values, never a throw — and
// installs its routes and middleware; it may start background work once the service listens and
// stops it when the service drains. Run drives them in order: parse the common flags and every
// module's; Install each module in the order added (so the first added is the outermost
// middleware); add /healthz and /readyz; listen; Start each; serve until SIGINT/SIGTERM; Stop each
// as draining begins; Release each once the worker threads have stopped.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "core/base/error.hpp"
#include "core/http/health.hpp"
#include "core/http/http_client.hpp"
#include "core/http/middleware.hpp"
#include "core/http/router.hpp"
#include "core/http/server.hpp"
#include "core/http/service.hpp"

namespace core {

class App;

// A reusable folder's entry point. Every hook but Install has a default that does nothing.
//
//   ```cpp
//   class HelloModule final : public core::Module {
//    public:
//     void AddFlags(core::ServiceCli& cli) override {
//       cli.AddOption("greeting", greeting_, "What GET /hello answers");
//     }
//     core::Result<void> Install(core::App& app) override {
//       if (greeting_.empty()) return core::Error(core::Code::kInvalidArgument, "empty greeting");
//       app.router().Get("/hello", [this](core::Exchange& ex) { return Hello(ex); });
//       return {};
//     }
//
//    private:
//     // A member coroutine, not a capturing coroutine lambda (STYLE.md, g++ 12 trap 2).
//     core::Task<void> Hello(core::Exchange& ex) {
//       ex.Text(core::http::status::ok, greeting_, "text/plain");
//       co_return;
//     }
//     std::string greeting_ = "hello";
//   };
//   ```
class Module {
 public:
  virtual ~Module() = default;
  // Adds the module's flags (with their environment names, `cli.Env("flag")`). Before parsing.
  virtual void AddFlags(ServiceCli& cli) { (void)cli; }
  // Builds the module from its parsed flags and installs its routes and middleware into `app`.
  // An error stops the program before it listens: exit code 2, the error's detail on stderr.
  virtual Result<void> Install(App& app) = 0;
  // The service listens: start side servers and background work. An error stops the service
  // (exit code 2). Runs on the main thread before serving.
  virtual Result<void> Start(Server& server) {
    (void)server;
    return {};
  }
  // Draining began: stop background work and outbound connections. Must be thread-safe.
  virtual void Stop() {}
  // The worker threads have stopped and their io_contexts still exist: release I/O objects bound
  // to them.
  virtual void Release() {}
};

class App {
 public:
  explicit App(ServiceInfo info, ClientOptions client_options = {});
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Adds `module` (not owned; it must outlive Run). Call before Run; returns *this for chaining.
  App& Add(Module& module);

  // Parses flags, installs the modules, serves until SIGINT/SIGTERM, and returns the exit code:
  // 0 after a clean shutdown or --help/--version, 2 for bad flags, a failed Install or Start, or
  // a port that cannot be bound.
  int Run(int argc, char** argv);

  ServiceCli& cli() { return cli_; }
  Router& router() { return router_; }
  Pipeline& pipeline() { return pipeline_; }
  Readiness& readiness() { return readiness_; }
  // The service's outbound client (keep-alive pools per worker thread), released at shutdown.
  HttpClient& client() { return client_; }
  const ServerOptions& server_options() const { return cli_.server_options(); }
  const ServiceInfo& info() const { return cli_.info(); }

 private:
  ServiceCli cli_;
  Router router_;
  Pipeline pipeline_{router_};
  Readiness readiness_;
  HttpClient client_;
  std::vector<Module*> modules_;
};

// Prints "<service>: <message>" on stderr and returns 2, the exit code for a bad flag or config.
int ConfigError(const ServiceInfo& info, std::string_view message);

}  // namespace core
