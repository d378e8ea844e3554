// 01 as a module: per-client rate limits for any service in one call, and the decision API.
//
//   ```cpp
//   #include "05_observability_basics_mini/http/observability_middleware.hpp"
//   int main(int argc, char** argv) {
//     core::App app({"sd-ratelimiter", "Per-client rate limits", 9001});
//     obs::HttpObservability o11y;
//     ratelimit::RateLimitModule limits(o11y.registry(), {.guarded_routes = {"/ping"}});
//     app.Add(o11y).Add(limits);  // o11y first: a refused request is still counted and logged
//     return app.Run(argc, argv);
//   }
//   ```
//
// Flags: --rule (repeatable), --config, --default-rule, --trusted-proxy, --max-keys, --shards,
// --sweep-interval, --redis, --redis-timeout. Install builds the rules, the sharded key table (or
// the Redis store all instances share), the decider and the middleware that guards
// `guarded_routes` with the default rule, mounts POST /v1/check, and registers the metrics. Start
// begins the sweep of idle keys; Stop ends it and closes the Redis connections.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "01_rate_limiter_service_mini/http/ratelimit_middleware.hpp"
#include "01_rate_limiter_service_mini/limiter/config.hpp"
#include "01_rate_limiter_service_mini/limiter/limiter.hpp"
#include "01_rate_limiter_service_mini/limiter/sharded_memory_store.hpp"
#include "01_rate_limiter_service_mini/redis/redis_store.hpp"
#include "01_rate_limiter_service_mini/service/decider.hpp"
#include "05_observability_basics_mini/metrics/registry.hpp"
#include "core/base/ticker.hpp"
#include "core/http/app.hpp"
#include "core/redis/redis_client.hpp"

namespace ratelimit {

struct RateLimitModuleOptions {
  std::vector<std::string> guarded_routes;  // route templates the default rule guards; empty = all
  bool check_api = true;                    // mount POST /v1/check
};

class RateLimitModule final : public core::Module {
 public:
  // `registry` must outlive the module.
  explicit RateLimitModule(obs::Registry& registry, RateLimitModuleOptions options = {});
  ~RateLimitModule() override;

  void AddFlags(core::ServiceCli& cli) override;
  // Errors (kInvalidArgument): a bad rule, config file, trusted proxy, Redis address or duration;
  // a default rule that does not exist or is keyed by descriptors; a rule Redis cannot decide.
  core::Result<void> Install(core::App& app) override;
  core::Result<void> Start(core::Server& server) override;
  void Stop() override;

  // Valid after Install: for services and tests that compose more than the default middleware.
  Decider& decider() { return *decider_; }
  const Rule& default_rule() const { return *default_rule_; }
  const Config& config() const { return config_; }

 private:
  struct Flags {
    std::vector<std::string> rules;
    std::string config_file;
    std::string default_rule = "default";
    std::vector<std::string> trusted_proxies;
    std::size_t max_keys = 1'000'000;
    std::size_t shards = 64;
    std::chrono::milliseconds sweep_interval{1000};
    std::string redis;  // host:port; empty = decide locally
    std::chrono::milliseconds redis_timeout{50};
  };

  core::Result<Config> BuildConfig() const;
  core::Result<void> ConnectRedis();

  obs::Registry& registry_;
  RateLimitModuleOptions options_;
  Flags flags_;
  Config config_;
  std::unique_ptr<ShardedMemoryStore> store_;
  std::unique_ptr<Limiter> limiter_;
  const Rule* default_rule_ = nullptr;
  std::unique_ptr<core::RedisClient> redis_client_;
  std::unique_ptr<RedisStore> redis_store_;
  std::unique_ptr<Decider> decider_;
  std::unique_ptr<core::Ticker> sweeper_;
};

}  // namespace ratelimit
