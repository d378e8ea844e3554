#include "04_cache_service_mini/server/cache_module.hpp"

#include "04_cache_service_mini/server/cache_metrics.hpp"
#include "05_observability_basics_mini/http/connection_metrics.hpp"

namespace cache {

CacheModule::~CacheModule() { Stop(); }

void CacheModule::AddFlags(core::ServiceCli& cli) {
  cli.AddOption("capacity-bytes", flags_.capacity_bytes, "Memory budget (memcached -m)")
      ->check(CLI::Range(std::size_t{1} << 16, std::size_t{1} << 40));
  cli.AddOption("policy", flags_.policy, "Eviction policy")
      ->check(CLI::IsMember({"lru", "s3fifo", "sieve", "wtinylfu"}));
  cli.AddOption("s3fifo-small-ratio", flags_.s3fifo_small_ratio,
                "S3-FIFO: share of the bytes for the probation queue (paper: 0.1)")
      ->check(CLI::Range(0.01, 0.5));
  cli.AddOption("shards", flags_.shards, "Lock stripes")->check(CLI::Range(1, 1024));
  cli.AddDuration("default-ttl", flags_.default_ttl, "TTL when none is given (0 = never)",
                  /*allow_zero=*/true);
  cli.AddOption("max-item-bytes", flags_.max_item_bytes, "Largest value (memcached -I)")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{128} << 20));
  cli.AddDuration("expiry-interval", flags_.expiry_interval, "Active expiry period (Redis: 100ms)");
  cli.AddSwitch("memcached", flags_.memcached, "Serve the memcached text protocol");
  cli.AddOption("memcached-port", flags_.memcached_port, "memcached protocol port (0 = any)")
      ->check(CLI::Range(0, 65535));
  cli.AddOption("memcached-threads", flags_.memcached_threads,
                "memcached worker threads (0 = --threads)")
      ->check(CLI::Range(0, 256));
  cli.AddOption("memcached-max-connections", flags_.memcached_max_connections, "memcached -c")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  cli.AddOption(
         "memcached-max-get-line-bytes", flags_.memcached_max_get_line_bytes,
         "Longest get/gets/gat line (a multi-get of many keys; memcached grows without bound)")
      ->check(CLI::Range(std::size_t{2048}, std::size_t{64} << 20));
  cli.AddDuration("memcached-idle-timeout", flags_.memcached_idle_timeout,
                  "Close memcached connections idle this long (0 = never)", /*allow_zero=*/true);
  cli.AddDuration("memcached-read-timeout", flags_.memcached_read_timeout,
                  "A started memcached command must arrive within this");
}

core::Result<void> CacheModule::Install(core::App& app) {
  const core::Clock& clock = core::SystemClock::Instance();
  CacheOptions options;
  options.max_bytes = flags_.capacity_bytes;
  options.shards = flags_.shards;
  options.policy.kind = *ParsePolicy(flags_.policy);  // --policy is checked against the names
  options.policy.s3fifo_small_ratio = flags_.s3fifo_small_ratio;
  options.max_value_bytes = flags_.max_item_bytes;
  options.default_ttl = flags_.default_ttl;
  auto cache = Cache::Create(options, clock);
  if (!cache) return cache.error();
  cache_ = std::move(*cache);

  host_ = app.server_options().host;
  threads_ = flags_.memcached_threads > 0 ? flags_.memcached_threads : app.server_options().threads;
  // `version` is the protocol level we speak, in memcached's numbering: clients parse it to decide
  // what they may send (libmemcached rejects a major version of 0), so our own 0.x would break
  // them.
  memcached_service_ = std::make_unique<MemcachedService>(
      *cache_, clock, SystemWallClock::Instance(),
      MemcachedOptions{.version = "1.6.0",
                       .max_retrieval_line_bytes = flags_.memcached_max_get_line_bytes,
                       .threads = static_cast<std::uint32_t>(threads_),
                       .max_connections = flags_.memcached_max_connections,
                       .host = host_,
                       .idle_timeout = std::chrono::duration_cast<std::chrono::seconds>(
                           flags_.memcached_idle_timeout)});
  RegisterCacheMetrics(registry_, *cache_, flags_.memcached ? memcached_service_.get() : nullptr);
  api_ = std::make_unique<CacheHttpApi>(*cache_, clock);
  api_->Register(app.router());
  return {};
}

core::Result<void> CacheModule::Start(core::Server&) {
  if (flags_.memcached) {
    memcached_ = std::make_unique<MemcachedServer>(
        *memcached_service_,
        MemcachedServerOptions{.text = {.host = host_,
                                        .port = static_cast<std::uint16_t>(flags_.memcached_port),
                                        .threads = threads_,
                                        .max_connections = flags_.memcached_max_connections,
                                        .read_timeout = flags_.memcached_read_timeout},
                               .idle_timeout = flags_.memcached_idle_timeout});
    if (auto r = memcached_->Listen(); !r) return r.error();  // "memcached: ..."
    obs::RegisterConnectionMetrics(registry_, "memcached",
                                   [m = memcached_.get()] { return m->connection_stats(); });
    memcached_->Start();  // prints "memcached protocol on HOST:PORT"
  }
  // Active expiry in bounded steps (the cache samples, as Redis does); stops with the service.
  expirer_ = std::make_unique<core::Ticker>(flags_.expiry_interval,
                                            [c = cache_.get()] { c->ExpireSome(); });
  return {};
}

void CacheModule::Stop() {
  if (expirer_) expirer_->Stop();
  if (memcached_) memcached_->Stop();
}

}  // namespace cache
