// The URL shortener as one module: its flags, and everything it builds from them — the store
// (SQLite file, or PostgreSQL with --postgres), the link cache, the visit pipeline, the service,
// the HTTP routes, /readyz's store check, the metrics — installed in one call. main.cpp only
// composes.
//
//   ```cpp
//   #include "05_observability_basics_mini/http/observability_middleware.hpp"
//   int main(int argc, char** argv) {
//     core::App app({"sd-shortener", "URL shortener", 9002});
//     obs::HttpObservability o11y;
//     shortener::ShortenerModule links(o11y.registry());
//     app.Add(o11y).Add(links);
//     return app.Run(argc, argv);
//   }
//   ```
//
// App::Run calls Start once listening, Stop when draining, and Release last (the final visits).
#pragma once

#include <memory>
#include <string>

#include "02_url_shortener_service_mini/http/background_tasks.hpp"
#include "02_url_shortener_service_mini/http/links_api.hpp"
#include "02_url_shortener_service_mini/service/link_cache.hpp"
#include "02_url_shortener_service_mini/service/shortener.hpp"
#include "02_url_shortener_service_mini/service/store_health.hpp"
#include "02_url_shortener_service_mini/store/sqlite_link_store.hpp"
#include "05_observability_basics_mini/metrics/registry.hpp"
#include "core/http/app.hpp"
#include "core/pg/pg_pool.hpp"

namespace shortener {

// Every flag of the module, with its default (each is also an SD_SHORTENER_* variable).
struct ShortenerFlags {
  std::string data = "./data/shortener.db";  // the SQLite file
  std::string postgres;                      // libpq conninfo: use PostgreSQL instead
  std::size_t pg_max_connections = 8;
  std::chrono::milliseconds pg_timeout{5000};
  int sqlite_readers = 2;
  std::string sqlite_sync = "full";
  std::size_t sqlite_max_batch = 256;
  std::size_t sqlite_max_queue = 10'000;
  std::string code_mode = "random";
  std::size_t code_length = 7;
  std::uint64_t counter_block = 100;
  std::size_t counter_min_length = 1;
  int max_insert_attempts = 8;
  int redirect_status = 302;
  int redirect_max_age = 90;
  int permanent_max_age = 86400;
  std::string public_url;
  std::size_t max_url_bytes = 2048;
  bool allow_credentials = false;
  std::string blocklist;
  std::size_t cache_bytes = std::size_t{64} << 20;
  std::string cache_policy = "s3fifo";
  std::chrono::milliseconds cache_ttl{300'000};
  std::chrono::milliseconds negative_ttl{5000};
  std::size_t negative_cache_bytes = std::size_t{4} << 20;
  std::size_t visit_buffer = 65'536;
  std::chrono::milliseconds visit_flush_interval{1000};
  std::chrono::milliseconds store_check_interval{1000};
};

class ShortenerModule final : public core::Module {
 public:
  // `registry` (05's) must outlive the module.
  explicit ShortenerModule(obs::Registry& registry);
  ~ShortenerModule() override;

  void AddFlags(core::ServiceCli& cli) override;
  // Builds the store, caches and service from the parsed flags and adds the routes, the readiness
  // check and the metrics. Errors (exit 2): a bad flag value or blocklist, a store that cannot be
  // opened (an unwritable directory, a file that is not a database, PostgreSQL unreachable).
  core::Result<void> Install(core::App& app) override;
  // Starts the background work (visit flushing, store probe, cache expiry).
  core::Result<void> Start(core::Server& server) override;
  // Draining began: nothing to stop yet — requests in flight still need the store and record
  // visits; the background work ends in Release, after them.
  void Stop() override {}
  // After the worker threads stopped: writes the last visits, closes the store. Idempotent.
  void Release() override;

  const ShortenerFlags& flags() const noexcept { return flags_; }
  Shortener& service() { return *service_; }

 private:
  core::Result<void> OpenStore();

  obs::Registry& registry_;
  ShortenerFlags flags_;
  std::unique_ptr<UrlPolicy> policy_;
  std::unique_ptr<core::pg::PgPool> pool_;
  std::unique_ptr<SqliteLinkStore> sqlite_;
  std::unique_ptr<LinkStore> store_;  // sqlite_ or the PostgreSQL store
  std::unique_ptr<LinkCache> cache_;
  std::unique_ptr<CodeSource> codes_;
  std::unique_ptr<VisitRecorder> visits_;
  StoreHealth health_;
  std::unique_ptr<Shortener> service_;
  std::unique_ptr<LinksApi> api_;
  std::unique_ptr<BackgroundTasks> background_;
  bool released_ = false;
};

}  // namespace shortener
