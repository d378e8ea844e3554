// sd-shortener: the seed's POST /shorten + GET /r/{code} (now a real redirect) and the /v1/links
// API, on SQLite (default) or PostgreSQL (--postgres), with redirects served from memory, creation
// rate-limited per client (01's middleware), and 05's observability. Composition root only.
#include <cstdio>
#include <memory>
#include <string>

#include "01_rate_limiter_service_mini/http/ratelimit_middleware.hpp"
#include "01_rate_limiter_service_mini/limiter/rule.hpp"
#include "01_rate_limiter_service_mini/limiter/sharded_memory_store.hpp"
#include "02_url_shortener_service_mini/http/shortener_module.hpp"
#include "05_observability_basics_mini/http/observability_middleware.hpp"
#include "core/base/clock.hpp"
#include "core/base/ticker.hpp"
#include "core/http/service.hpp"

int main(int argc, char** argv) {
  core::ServiceCli cli({"sd-shortener", "URL shortener: shorten, redirect, count", 9002});
  obs::HttpObservability o11y;
  shortener::ShortenerModule links(o11y.registry());
  links.AddFlags(cli);
  std::string create_limit = "name=create,rate=10/s,burst=50,key=ip";
  cli.app()
      .add_option("--create-limit", create_limit,
                  "Rate limit of link creation per client (01's rule syntax), or 'off'")
      ->envname(cli.Env("create-limit"));
  if (auto rc = cli.Parse(argc, argv)) return *rc;

  core::Router router;
  core::Pipeline pipeline(router);
  core::Readiness readiness;
  o11y.Install(router, pipeline);
  // Creation is limited per client IP; redirects are not (they are the product).
  std::unique_ptr<ratelimit::ShardedMemoryStore> limit_store;
  std::unique_ptr<ratelimit::Limiter> limiter;
  std::unique_ptr<ratelimit::Decider> decider;
  if (create_limit != "off") {
    auto rule = ratelimit::ParseRuleFlag(create_limit);
    if (!rule) {
      std::fprintf(stderr, "sd-shortener: --create-limit: %s\n", rule.error().detail.c_str());
      return 2;
    }
    limit_store = std::make_unique<ratelimit::ShardedMemoryStore>(ratelimit::MemoryStoreOptions{
        .max_keys = 1'000'000, .shards = 64, .hash_key = std::nullopt});
    auto created = ratelimit::Limiter::Create({*rule}, *limit_store, core::SystemClock::Instance());
    if (!created) {
      std::fprintf(stderr, "sd-shortener: --create-limit: %s\n", created.error().detail.c_str());
      return 2;
    }
    limiter = std::move(*created);
    decider = std::make_unique<ratelimit::Decider>(*limiter, nullptr);
    pipeline.Use(std::make_shared<ratelimit::RateLimitMiddleware>(
        *decider, ratelimit::RateLimitScope{.rule = limiter->FindRule(rule->name),
                                            .routes = {"/shorten", "/v1/links"},
                                            .trusted_proxies = {}}));
  }
  if (auto installed = links.Install(router, pipeline, readiness); !installed) {
    std::fprintf(stderr, "sd-shortener: %s\n", installed.error().detail.c_str());
    return 2;
  }
  core::AddHealthRoutes(router, readiness);
  std::unique_ptr<core::Ticker> sweeper;
  if (limit_store) {
    sweeper = std::make_unique<core::Ticker>(std::chrono::seconds(1), [&limit_store] {
      limit_store->Sweep(core::SystemClock::Instance().Now());
    });
  }
  const int rc = core::RunService(cli, pipeline, readiness, [&](core::Server& server) {
    links.Start(server);
    server.OnShutdown([&] { links.Stop(); });
  });
  links.Release();
  return rc;
}
