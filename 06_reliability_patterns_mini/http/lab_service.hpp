// sd-reliability's lab: named upstreams — simulated ones served by this process at
// /upstream/{name}, or external ones given by URL — each called through its own Pipeline (its own
// breaker, budget and bulkhead) by GET /call/{name}, which answers with the upstream's result and
// the trace of the attempts. Plus the operator's view: upstream behaviours (PUT to change them at
// run time), breakers (force open, close, reset), the policy in force.
//
//   GET  /upstream/{name}            a simulated upstream (also POST)
//   GET  /call/{name}[?method=POST&safe=true&raw=true]   through the pipeline; honours
//        X-Request-Timeout-Ms; raw=true answers like a proxy (the upstream's status and body, the
//        attempt count in X-Attempts) instead of the JSON with the trace
//   GET  /v1/upstreams, /v1/upstreams/{name};  PUT /v1/upstreams/{name}  (behaviour JSON)
//   GET  /v1/breakers;  POST /v1/breakers/{name}/{open|close|reset|disable}
//   GET  /v1/policy (the default);  GET|PUT /v1/policies/{name}  (one upstream's pipeline JSON:
//        a PUT builds a fresh pipeline — new breaker, budget and bulkhead — and 400s naming the
//        field on bad input)
//
// Thread-safe: the table is read under a shared lock and grows under an exclusive one; entries are
// never removed, so handlers use them without holding the lock.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "06_reliability_patterns_mini/lab/upstream_model.hpp"
#include "06_reliability_patterns_mini/pipeline/pipeline.hpp"
#include "core/base/mutex.hpp"
#include "core/http/exchange.hpp"
#include "core/http/http_client.hpp"
#include "core/http/router.hpp"

namespace reliability {

struct LabOptions {
  PipelineOptions policy;          // every upstream's pipeline
  std::uint64_t seed = 1;          // the simulators' draws (each upstream: seed ^ hash(name))
  std::size_t max_upstreams = 64;  // PUT cannot grow the table past this
};

struct UpstreamEntry {
  std::string name;
  std::unique_ptr<lab::UpstreamModel> sim;  // simulated; null when external
  std::string url;                          // external: where /call goes
  core::Upstream external;
  std::string external_target;
  // Replaced as a whole by PUT /v1/policies/{name}; calls in flight keep the one they started with.
  std::atomic<std::shared_ptr<Pipeline>> pipeline;
};

// 1 to 64 of [A-Za-z0-9._-].
bool IsValidUpstreamName(std::string_view name) noexcept;

class LabService {
 public:
  // `client` and `clock` must outlive the service.
  LabService(LabOptions options, core::HttpClient& client,
             core::Clock& clock = core::SystemClock::Instance());
  ~LabService();

  // Start-up configuration (flags). Errors: kInvalidArgument (name, URL, duplicate, table full).
  core::Result<void> AddSimulated(const std::string& name, const lab::UpstreamBehavior& behavior);
  core::Result<void> AddExternal(const std::string& name, const std::string& url);
  // Where this process's simulated upstreams are reached (known once it listens).
  void SetSelf(core::Upstream self);
  // Mounts the routes above.
  void Install(core::Router& router);

  // Every entry, by name (for metrics). The pointers stay valid for the service's lifetime.
  std::vector<const UpstreamEntry*> Entries() const;
  const LabOptions& options() const noexcept { return options_; }

  Task<void> ServeUpstream(core::Exchange& ex);
  Task<void> Call(core::Exchange& ex);
  Task<void> PutUpstream(core::Exchange& ex);
  Task<void> GetUpstreams(core::Exchange& ex);
  Task<void> GetUpstream(core::Exchange& ex);
  Task<void> GetBreakers(core::Exchange& ex);
  Task<void> BreakerAction(core::Exchange& ex);
  Task<void> GetPolicy(core::Exchange& ex);
  Task<void> GetUpstreamPolicy(core::Exchange& ex);
  Task<void> PutUpstreamPolicy(core::Exchange& ex);

 private:
  UpstreamEntry* Find(std::string_view name) const;
  UpstreamEntry* FindLocked(std::string_view name) const SD_REQUIRES_SHARED(mu_);
  PipelineDeps Deps(const std::string& name);
  core::Result<UpstreamEntry*> AddLocked(const std::string& name) SD_REQUIRES(mu_);
  std::string UpstreamJson(const UpstreamEntry& e) const;

  const LabOptions options_;
  core::HttpClient& client_;
  core::Clock& clock_;
  mutable core::SharedMutex mu_;
  std::vector<std::unique_ptr<UpstreamEntry>> entries_ SD_GUARDED_BY(mu_);  // sorted by name
  std::atomic<bool> has_self_{false};
  core::Upstream self_;  // written once before has_self_ is set
};

}  // namespace reliability
