// sd-cache: a byte-budgeted cache with TTLs and a choice of eviction policy (LRU, S3-FIFO, SIEVE),
// sharded, speaking HTTP on 9004 and the memcached text protocol on 11211. Composition root only.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "04_cache_service_mini/cache/cache.hpp"
#include "04_cache_service_mini/memcached/memcached_session.hpp"
#include "04_cache_service_mini/server/cache_metrics.hpp"
#include "04_cache_service_mini/server/http_api.hpp"
#include "04_cache_service_mini/server/memcached_server.hpp"
#include "05_observability_basics_mini/http/observability_middleware.hpp"
#include "core/base/ticker.hpp"
#include "core/http/service.hpp"

namespace {

struct Flags {
  std::size_t capacity_bytes = std::size_t{64} << 20;
  std::string policy = "s3fifo";
  double s3fifo_small_ratio = cache::PolicyOptions{}.s3fifo_small_ratio;
  std::size_t shards = 16;
  std::string default_ttl = "0";
  std::size_t max_item_bytes = std::size_t{1} << 20;
  std::string expiry_interval = "100ms";
  bool memcached = true;
  int memcached_port = 11211;
  int memcached_threads = 0;  // 0 = same as --threads
  std::size_t memcached_max_connections = 4096;
  std::string memcached_idle_timeout = "0";
  std::string memcached_read_timeout = "10s";
};

int ConfigError(const std::string& message) {
  std::fprintf(stderr, "sd-cache: %s\n", message.c_str());
  return 2;
}

// Like core::ParseDuration, but "0" is allowed (= off / never).
std::optional<std::chrono::milliseconds> DurationOrZero(const std::string& text) {
  if (text == "0") return std::chrono::milliseconds(0);
  return core::ParseDuration(text);
}

}  // namespace

int main(int argc, char** argv) {
  core::ServiceCli cli(
      {"sd-cache", "TTL + eviction cache over HTTP and the memcached protocol", 9004});
  Flags f;
  auto& app = cli.app();
  app.add_option("--capacity-bytes", f.capacity_bytes, "Memory budget (memcached -m)")
      ->envname(cli.Env("capacity-bytes"))
      ->check(CLI::Range(std::size_t{1} << 16, std::size_t{1} << 40));
  app.add_option("--policy", f.policy, "Eviction policy")
      ->envname(cli.Env("policy"))
      ->check(CLI::IsMember({"lru", "s3fifo", "sieve", "wtinylfu"}));
  app.add_option("--s3fifo-small-ratio", f.s3fifo_small_ratio,
                 "S3-FIFO: share of the bytes for the probation queue (paper: 0.1)")
      ->envname(cli.Env("s3fifo-small-ratio"))
      ->check(CLI::Range(0.01, 0.5));
  app.add_option("--shards", f.shards, "Lock stripes")
      ->envname(cli.Env("shards"))
      ->check(CLI::Range(1, 1024));
  app.add_option("--default-ttl", f.default_ttl, "TTL when none is given (0 = never)")
      ->envname(cli.Env("default-ttl"));
  app.add_option("--max-item-bytes", f.max_item_bytes, "Largest value (memcached -I)")
      ->envname(cli.Env("max-item-bytes"))
      ->check(CLI::Range(std::size_t{1024}, std::size_t{128} << 20));
  app.add_option("--expiry-interval", f.expiry_interval, "Active expiry period (Redis: 100ms)")
      ->envname(cli.Env("expiry-interval"));
  app.add_flag("--memcached,!--no-memcached", f.memcached, "Serve the memcached text protocol")
      ->envname(cli.Env("memcached"));
  app.add_option("--memcached-port", f.memcached_port, "memcached protocol port (0 = any)")
      ->envname(cli.Env("memcached-port"))
      ->check(CLI::Range(0, 65535));
  app.add_option("--memcached-threads", f.memcached_threads,
                 "memcached worker threads (0 = --threads)")
      ->envname(cli.Env("memcached-threads"))
      ->check(CLI::Range(0, 256));
  app.add_option("--memcached-max-connections", f.memcached_max_connections, "memcached -c")
      ->envname(cli.Env("memcached-max-connections"))
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  app.add_option("--memcached-idle-timeout", f.memcached_idle_timeout,
                 "Close memcached connections idle this long (0 = never)")
      ->envname(cli.Env("memcached-idle-timeout"));
  app.add_option("--memcached-read-timeout", f.memcached_read_timeout,
                 "A started memcached command must arrive within this")
      ->envname(cli.Env("memcached-read-timeout"));
  if (auto rc = cli.Parse(argc, argv)) return *rc;

  auto default_ttl = DurationOrZero(f.default_ttl);
  auto expiry_interval = core::ParseDuration(f.expiry_interval);
  auto idle_timeout = DurationOrZero(f.memcached_idle_timeout);
  auto read_timeout = core::ParseDuration(f.memcached_read_timeout);
  if (!default_ttl) return ConfigError("--default-ttl: not a duration like 0, 30s or 5m");
  if (!expiry_interval || expiry_interval->count() == 0)
    return ConfigError("--expiry-interval: not a positive duration");
  if (!idle_timeout) return ConfigError("--memcached-idle-timeout: not a duration");
  if (!read_timeout || read_timeout->count() == 0)
    return ConfigError("--memcached-read-timeout: not a positive duration");

  const core::Clock& clock = core::SystemClock::Instance();
  cache::CacheOptions options;
  options.max_bytes = f.capacity_bytes;
  options.shards = f.shards;
  options.policy.kind = *cache::ParsePolicy(f.policy);
  options.policy.s3fifo_small_ratio = f.s3fifo_small_ratio;
  options.max_value_bytes = f.max_item_bytes;
  options.default_ttl = *default_ttl;
  std::unique_ptr<cache::Cache> store;
  try {
    store = std::make_unique<cache::Cache>(options, clock);
  } catch (const std::invalid_argument& e) {
    return ConfigError(e.what());
  }

  const int threads = cli.server_options().threads;
  // `version` is the protocol level we speak, in memcached's numbering: clients parse it to decide
  // what they may send (libmemcached rejects a major version of 0), so our own 0.x would break
  // them.
  cache::MemcachedService memcached_service(
      *store, clock, cache::SystemWallClock::Instance(),
      {.version = "1.6.0",
       .threads =
           static_cast<std::uint32_t>(f.memcached_threads > 0 ? f.memcached_threads : threads)});
  std::unique_ptr<cache::MemcachedServer> memcached;
  if (f.memcached) {
    memcached = std::make_unique<cache::MemcachedServer>(
        memcached_service, cache::MemcachedServerOptions{
                               .host = cli.server_options().host,
                               .port = static_cast<std::uint16_t>(f.memcached_port),
                               .threads = f.memcached_threads > 0 ? f.memcached_threads : threads,
                               .max_connections = f.memcached_max_connections,
                               .idle_timeout = *idle_timeout,
                               .read_timeout = *read_timeout});
    if (auto r = memcached->Listen(); !r) return ConfigError("memcached: " + r.error().detail);
  }

  core::Router router;
  core::Pipeline pipeline(router);
  core::Readiness readiness;
  obs::HttpObservability o11y;
  o11y.Install(router, pipeline);
  cache::RegisterCacheMetrics(o11y.registry(), *store, memcached ? &memcached_service : nullptr);
  core::AddHealthRoutes(router, readiness);
  cache::CacheHttpApi api(*store, clock);
  api.Register(router);

  // Active expiry in bounded steps (the cache samples, as Redis does); stops with the service.
  core::Ticker expirer(*expiry_interval, [&store] { store->ExpireSome(); });
  return core::RunService(cli, pipeline, readiness, [&](core::Server& server) {
    if (memcached) {
      memcached->Start();
      core::log::Info("memcached protocol listening", {{"port", memcached->port()}});
      std::printf("memcached protocol on %s:%u\n", cli.server_options().host.c_str(),
                  static_cast<unsigned>(memcached->port()));
      std::fflush(stdout);
    }
    server.OnShutdown([&] {
      expirer.Stop();
      if (memcached) memcached->Stop();
    });
  });
}
