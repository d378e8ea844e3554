// 04 as a module: the cache behind HTTP (/v1/cache/{key}) and, on its own port, the memcached
// text protocol, with active expiry in the background and the cache's metrics.
//
//   ```cpp
//   #include "05_observability_basics_mini/http/observability_middleware.hpp"
//   int main(int argc, char** argv) {
//     core::App app({"sd-cache", "TTL + eviction cache", 9004});
//     obs::HttpObservability o11y;
//     cache::CacheModule cache(o11y.registry());
//     app.Add(o11y).Add(cache);
//     return app.Run(argc, argv);
//   }
//   ```
//
// Flags: --capacity-bytes, --policy, --s3fifo-small-ratio, --shards, --default-ttl,
// --max-item-bytes, --expiry-interval, and the memcached port's --memcached*, as memcached names
// them where it has a name. Install builds the cache and mounts the HTTP API; Start binds and
// starts the memcached port (printing "memcached protocol on HOST:PORT") and the expiry ticker;
// Stop stops both.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "04_cache_service_mini/cache/cache.hpp"
#include "04_cache_service_mini/memcached/memcached_session.hpp"
#include "04_cache_service_mini/server/http_api.hpp"
#include "04_cache_service_mini/server/memcached_server.hpp"
#include "05_observability_basics_mini/metrics/registry.hpp"
#include "core/base/ticker.hpp"
#include "core/http/app.hpp"

namespace cache {

class CacheModule final : public core::Module {
 public:
  // `registry` must outlive the module.
  explicit CacheModule(obs::Registry& registry) : registry_(registry) {}
  ~CacheModule() override;

  void AddFlags(core::ServiceCli& cli) override;
  // Errors (kInvalidArgument): a byte budget too small for the shards.
  core::Result<void> Install(core::App& app) override;
  // Errors: the memcached port cannot be bound.
  core::Result<void> Start(core::Server& server) override;
  void Stop() override;

  // Valid after Install.
  Cache& cache() { return *cache_; }
  // The bound memcached port, after Start (0 when --no-memcached).
  std::uint16_t memcached_port() const { return memcached_ ? memcached_->port() : 0; }

 private:
  struct Flags {
    std::size_t capacity_bytes = std::size_t{64} << 20;
    std::string policy = "s3fifo";
    double s3fifo_small_ratio = PolicyOptions{}.s3fifo_small_ratio;
    std::size_t shards = 16;
    std::chrono::milliseconds default_ttl{0};
    std::size_t max_item_bytes = std::size_t{1} << 20;
    std::chrono::milliseconds expiry_interval{100};
    bool memcached = true;
    int memcached_port = 11211;
    int memcached_threads = 0;  // 0 = same as --threads
    std::size_t memcached_max_connections = 4096;
    std::size_t memcached_max_get_line_bytes = MemcachedOptions{}.max_retrieval_line_bytes;
    std::chrono::milliseconds memcached_idle_timeout{0};
    std::chrono::milliseconds memcached_read_timeout{10'000};
  };

  obs::Registry& registry_;
  Flags flags_;
  std::string host_;
  int threads_ = 1;
  std::unique_ptr<Cache> cache_;
  std::unique_ptr<MemcachedService> memcached_service_;
  std::unique_ptr<MemcachedServer> memcached_;
  std::unique_ptr<CacheHttpApi> api_;
  std::unique_ptr<core::Ticker> expirer_;
};

}  // namespace cache
