// 06 as a module: the reliability lab in one call — simulated and external upstreams, each behind
// its own pipeline, the /call, /upstream, /v1/upstreams, /v1/breakers and /v1/policy routes, and
// the metrics in 05's registry.
//
//   ```cpp
//   #include "05_observability_basics_mini/http/observability_middleware.hpp"
//   int main(int argc, char** argv) {
//     core::App app({"sd-reliability", "Reliability patterns lab", 9006});
//     obs::HttpObservability o11y;
//     reliability::ReliabilityModule lab(o11y.registry());
//     app.Add(o11y).Add(lab);
//     return app.Run(argc, argv);
//   }
//   ```
//
// Flags: --policy (pipeline JSON, or @file), --sim name=JSON (repeatable; simulated upstreams),
// --upstream name=http://host:port/path (repeatable), --seed, --max-upstreams. Without --sim and
// --upstream it starts three simulated upstreams to play with: ok, flaky (30 % 503) and slow
// (log-normal, median 5 ms, p99 200 ms).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "05_observability_basics_mini/metrics/registry.hpp"
#include "06_reliability_patterns_mini/http/lab_service.hpp"
#include "core/http/app.hpp"

namespace reliability {

class ReliabilityModule final : public core::Module {
 public:
  // `registry` must outlive the module.
  explicit ReliabilityModule(obs::Registry& registry);
  ~ReliabilityModule() override;

  void AddFlags(core::ServiceCli& cli) override;
  // Errors (kInvalidArgument): a bad policy (naming the field), a bad --sim or --upstream.
  core::Result<void> Install(core::App& app) override;
  // Learns the port this process listens on, where its simulated upstreams are reached.
  core::Result<void> Start(core::Server& server) override;

  LabService& lab() { return *lab_; }  // after Install

 private:
  struct Flags {
    std::string policy;
    std::vector<std::string> sims;
    std::vector<std::string> upstreams;
    std::uint64_t seed = 1;
    std::size_t max_upstreams = 64;
  };

  obs::Registry& registry_;
  Flags flags_;
  std::string host_;  // --host, for reaching ourselves
  std::unique_ptr<LabService> lab_;
};

// Reads --policy: inline JSON, or "@path" to read a file. Errors name the flag and the field.
core::Result<PipelineOptions> ParsePolicyFlag(const std::string& value);

}  // namespace reliability
