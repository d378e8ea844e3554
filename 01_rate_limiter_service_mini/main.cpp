// sd-ratelimiter: the seed's GET /ping behind the rate-limit middleware (token bucket 2/s, burst 5,
// keyed by client IP) and the POST /v1/check decision API, with rules from flags or a JSON file,
// state in a sharded bounded store or in Redis (--redis), shared by every instance. Composition
// root only.
#include <memory>
#include <string>
#include <vector>

#include "01_rate_limiter_service_mini/http/http_api.hpp"
#include "01_rate_limiter_service_mini/http/ratelimit_metrics.hpp"
#include "01_rate_limiter_service_mini/http/ratelimit_middleware.hpp"
#include "01_rate_limiter_service_mini/limiter/config.hpp"
#include "01_rate_limiter_service_mini/limiter/sharded_memory_store.hpp"
#include "01_rate_limiter_service_mini/redis/redis_store.hpp"
#include "05_observability_basics_mini/http/observability_middleware.hpp"
#include "core/base/clock.hpp"
#include "core/base/ticker.hpp"
#include "core/http/service.hpp"
#include "core/redis/redis_client.hpp"

namespace {

core::Task<void> Ping(core::Exchange& ex) {
  ex.Json(core::http::status::ok, R"({"message":"pong"})");
  co_return;
}

struct Flags {
  std::vector<std::string> rules;
  std::string config_file;
  std::string default_rule = "default";
  std::vector<std::string> trusted_proxies;
  std::size_t max_keys = 1'000'000;
  std::size_t shards = 64;
  std::string sweep_interval = "1s";
  std::string redis;  // host:port; empty = decide locally
  std::string redis_timeout = "50ms";
  bool observability = true;
};

// Rules and trusted proxies from --config, then --rule / --trusted-proxy, else the seed's rule.
core::Result<ratelimit::Config> BuildConfig(const Flags& f) {
  ratelimit::Config config;
  if (!f.config_file.empty()) {
    auto loaded = ratelimit::LoadConfigFile(f.config_file);
    if (!loaded) return loaded.error();
    config = std::move(*loaded);
  }
  for (const auto& text : f.rules) {
    auto rule = ratelimit::ParseRuleFlag(text);
    if (!rule) return rule.error();
    config.rules.push_back(std::move(*rule));
  }
  if (config.rules.empty()) config.rules.push_back(ratelimit::DefaultRule());
  if (!f.trusted_proxies.empty()) {
    auto trusted = ratelimit::TrustedProxies::Parse(f.trusted_proxies);
    if (!trusted) return trusted.error();
    auto networks = config.trusted_proxies.networks();
    networks.insert(networks.end(), trusted->networks().begin(), trusted->networks().end());
    config.trusted_proxies = ratelimit::TrustedProxies(std::move(networks));
  }
  if (auto ok = ratelimit::ValidateRules(config.rules); !ok) return ok.error();
  return config;
}

int ConfigError(const std::string& message) {
  std::fprintf(stderr, "sd-ratelimiter: %s\n", message.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  core::ServiceCli cli(
      {"sd-ratelimiter", "Per-client rate limits: middleware and decision API", 9001});
  Flags f;
  auto& app = cli.app();
  app.add_option("--rule", f.rules,
                 "A rule: name=ping,algo=token_bucket|gcra|sliding_window,rate=2/s,burst=5,"
                 "key=ip|header:<name>|route|descriptor,shadow=false,failure=open|closed")
      ->envname(cli.Env("rule"));
  app.add_option("--config", f.config_file, "JSON file with rules and trusted_proxies")
      ->envname(cli.Env("config"));
  app.add_option("--default-rule", f.default_rule, "Rule guarding /ping and used by /v1/check")
      ->envname(cli.Env("default-rule"));
  app.add_option("--trusted-proxy", f.trusted_proxies,
                 "Address or CIDR whose X-Forwarded-For is believed")
      ->envname(cli.Env("trusted-proxy"));
  app.add_option("--max-keys", f.max_keys, "Tracked keys (memory cap; LRU evicts beyond)")
      ->envname(cli.Env("max-keys"))
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 32));
  app.add_option("--shards", f.shards, "Independent locks of the key table (1 = one global lock)")
      ->envname(cli.Env("shards"))
      ->check(CLI::Range(1, 4096));
  app.add_option("--sweep-interval", f.sweep_interval, "How often idle keys are forgotten")
      ->envname(cli.Env("sweep-interval"));
  app.add_option("--redis", f.redis,
                 "host:port of a Redis all instances share (default: decide locally)")
      ->envname(cli.Env("redis"));
  app.add_option("--redis-timeout", f.redis_timeout,
                 "Deadline of one Redis decision; then the rule's failure mode decides")
      ->envname(cli.Env("redis-timeout"));
  app.add_flag("--observability,!--no-observability", f.observability,
               "Request ids, tracing, metrics and access logs (off only to measure their cost)")
      ->envname(cli.Env("observability"));
  if (auto rc = cli.Parse(argc, argv)) return *rc;

  auto config = BuildConfig(f);
  if (!config) return ConfigError(config.error().detail);
  auto sweep_interval = core::ParseDuration(f.sweep_interval);
  if (!sweep_interval || sweep_interval->count() == 0) {
    return ConfigError("--sweep-interval: not a positive duration");
  }

  core::Clock& clock = core::SystemClock::Instance();
  ratelimit::ShardedMemoryStore store(
      {.max_keys = f.max_keys, .shards = f.shards, .hash_key = std::nullopt});
  auto limiter = ratelimit::Limiter::Create(config->rules, store, clock);
  if (!limiter) return ConfigError(limiter.error().detail);
  const ratelimit::Rule* default_rule = (*limiter)->FindRule(f.default_rule);
  if (!default_rule) return ConfigError("--default-rule: no rule named '" + f.default_rule + "'");
  if (default_rule->key_source == ratelimit::KeySource::kDescriptor) {
    return ConfigError("--default-rule: a descriptor rule cannot guard /ping");
  }
  // Shared state in Redis when asked for (the local store then stays empty).
  std::unique_ptr<core::RedisClient> redis_client;
  std::unique_ptr<ratelimit::RedisStore> redis_store;
  if (!f.redis.empty()) {
    auto colon = f.redis.rfind(':');
    auto timeout = core::ParseDuration(f.redis_timeout);
    if (colon == std::string::npos || colon == 0) return ConfigError("--redis: expected host:port");
    if (!timeout || timeout->count() == 0)
      return ConfigError("--redis-timeout: not a positive duration");
    int port = 0;
    try {
      port = std::stoi(f.redis.substr(colon + 1));
    } catch (const std::exception&) {
      port = 0;
    }
    if (port <= 0 || port > 65535) return ConfigError("--redis: bad port in '" + f.redis + "'");
    for (const auto& rule : (*limiter)->rules()) {
      if (auto ok = ratelimit::RedisStore::Supports(rule); !ok)
        return ConfigError(ok.error().detail);
    }
    core::RedisClientOptions client_options;
    client_options.host = f.redis.substr(0, colon);
    client_options.port = static_cast<std::uint16_t>(port);
    client_options.command_timeout = *timeout;
    ratelimit::RedisStoreOptions store_options;
    store_options.timeout = *timeout;
    redis_client = std::make_unique<core::RedisClient>(client_options);
    redis_store = std::make_unique<ratelimit::RedisStore>(*redis_client, clock, store_options);
  }
  ratelimit::Decider decider(**limiter, redis_store.get());

  core::Router router;
  core::Pipeline pipeline(router);
  core::Readiness readiness;
  obs::HttpObservability o11y;
  if (f.observability) o11y.Install(router, pipeline);
  ratelimit::RegisterLimiterMetrics(o11y.registry(), **limiter);
  if (redis_store) ratelimit::RegisterRedisMetrics(o11y.registry(), *redis_store, *redis_client);
  pipeline.Use(std::make_shared<ratelimit::RateLimitMiddleware>(
      decider,
      ratelimit::RateLimitScope{
          .rule = default_rule, .routes = {"/ping"}, .trusted_proxies = config->trusted_proxies}));
  core::AddHealthRoutes(router, readiness);
  router.Get("/ping", Ping);
  router.Post("/v1/check", [d = &decider, r = default_rule](core::Exchange& ex) {
    return ratelimit::HandleCheck(d, r, ex);
  });

  // Forget fully recovered keys in the background (bounded work: one shard lock at a time).
  core::Ticker sweeper(*sweep_interval, [&store, &clock] { store.Sweep(clock.Now()); });
  return core::RunService(cli, pipeline, readiness, [&](core::Server& server) {
    server.OnShutdown([&] {
      sweeper.Stop();
      // An open Redis connection keeps its io_context busy; requests still draining are then
      // decided by their rule's failure mode.
      if (redis_client) redis_client->Close();
    });
  });
}
