#include "02_url_shortener_service_mini/http/shortener_module.hpp"

#include "02_url_shortener_service_mini/http/shortener_metrics.hpp"
#include "02_url_shortener_service_mini/store/pg_link_store.hpp"
#include "core/async/run_now.hpp"

namespace shortener {
namespace {

core::Error Bad(std::string detail) {
  return core::Error(core::Code::kInvalidArgument, std::move(detail));
}

}  // namespace

ShortenerModule::ShortenerModule(obs::Registry& registry) : registry_(registry) {}

ShortenerModule::~ShortenerModule() { Release(); }

void ShortenerModule::AddFlags(core::ServiceCli& cli) {
  ShortenerFlags& f = flags_;
  cli.AddOption("data", f.data, "SQLite file (created with its directory on first start)");
  cli.AddOption("postgres", f.postgres,
                "libpq conninfo (host=10.0.0.5 dbname=links user=app): store in PostgreSQL");
  cli.AddOption("pg-max-connections", f.pg_max_connections, "PostgreSQL connections, at most")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000}));
  cli.AddDuration("pg-timeout", f.pg_timeout, "Deadline of one PostgreSQL statement");
  cli.AddOption("sqlite-readers", f.sqlite_readers, "SQLite reader threads")
      ->check(CLI::Range(1, 64));
  cli.AddOption("sqlite-sync", f.sqlite_sync,
                "full: fsync every commit (survives power loss); normal: survives crashes only")
      ->check(CLI::IsMember({"full", "normal"}));
  cli.AddOption("sqlite-max-batch", f.sqlite_max_batch, "Writes per group commit")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000}));
  cli.AddOption("sqlite-max-queue", f.sqlite_max_queue, "Operations waiting for SQLite before 503")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}));
  cli.AddOption("code-mode", f.code_mode,
                "random: CSPRNG base62; counter: ids reserved in blocks (enumerable)")
      ->check(CLI::IsMember({"random", "counter"}));
  cli.AddOption("code-length", f.code_length, "Random code length (62^7 = 3.5e12 codes)")
      ->check(CLI::Range(kMinCodeLength, kMaxCodeLength));
  cli.AddOption("counter-block", f.counter_block, "Ids reserved per store round trip")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000}));
  cli.AddOption("counter-min-length", f.counter_min_length, "Counter codes are padded to this")
      ->check(CLI::Range(std::size_t{1}, kMaxCodeLength));
  cli.AddOption("max-insert-attempts", f.max_insert_attempts,
                "Codes tried per create before 503 (collisions)")
      ->check(CLI::Range(1, 100));
  cli.AddOption("redirect-status", f.redirect_status, "Default redirect: 301, 302, 307, 308")
      ->check(CLI::IsMember({301, 302, 307, 308}));
  cli.AddOption("redirect-max-age", f.redirect_max_age,
                "Cache-Control max-age of 302/307 (private: browsers only)")
      ->check(CLI::Range(0, 31'536'000));
  cli.AddOption("permanent-max-age", f.permanent_max_age,
                "Cache-Control max-age of 301/308 (public): clicks within it never reach us")
      ->check(CLI::Range(0, 31'536'000));
  cli.AddOption("public-url", f.public_url,
                "Base of short URLs (https://sho.rt); default http://<Host header>");
  cli.AddOption("max-url-bytes", f.max_url_bytes, "Longest target URL accepted")
      ->check(CLI::Range(std::size_t{16}, std::size_t{1} << 20));
  cli.AddSwitch("allow-credentials", f.allow_credentials,
                "Accept user:password@ in target URLs (refused by default: phishing)");
  cli.AddOption("blocklist", f.blocklist, "File of blocked hosts, one per line");
  cli.AddOption("cache-bytes", f.cache_bytes, "Memory for cached links")
      ->check(CLI::Range(std::size_t{64} << 10, std::size_t{1} << 40));
  cli.AddOption("cache-policy", f.cache_policy, "Eviction: s3fifo, sieve, lru, wtinylfu")
      ->check(CLI::IsMember({"s3fifo", "sieve", "lru", "wtinylfu"}));
  cli.AddDuration("cache-ttl", f.cache_ttl,
                  "Longest a link stays cached (another instance's delete is seen within it)");
  cli.AddDuration("negative-ttl", f.negative_ttl, "How long an unknown code is remembered");
  cli.AddOption("negative-cache-bytes", f.negative_cache_bytes, "Memory for unknown codes")
      ->check(CLI::Range(std::size_t{64} << 10, std::size_t{1} << 36));
  cli.AddOption("visit-buffer", f.visit_buffer, "Visits buffered before drops")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 26));
  cli.AddDuration("visit-flush-interval", f.visit_flush_interval, "How often visits are written");
  cli.AddDuration("store-check-interval", f.store_check_interval,
                  "How often the store is probed for /readyz");
}

core::Result<void> ShortenerModule::OpenStore() {
  if (!flags_.postgres.empty()) {
    core::pg::PgPoolOptions o;
    o.conninfo = flags_.postgres;
    o.max_connections = flags_.pg_max_connections;
    o.query_timeout = flags_.pg_timeout;
    o.acquire_timeout = flags_.pg_timeout;
    pool_ = std::make_unique<core::pg::PgPool>(o);
    auto store = std::make_unique<PgLinkStore>(*pool_);
    core::Result<void> migrated = core::RunNow(store->Migrate());
    if (!migrated) return Bad("--postgres: " + migrated.error().detail);
    store_ = std::move(store);
    return {};
  }
  SqliteExecutorOptions o;
  o.path = flags_.data;
  o.readers = flags_.sqlite_readers;
  o.synchronous_full = flags_.sqlite_sync == "full";
  o.max_batch = flags_.sqlite_max_batch;
  o.max_queue = flags_.sqlite_max_queue;
  auto store = SqliteLinkStore::Open(o);
  if (!store) return Bad("--data: " + store.error().detail);
  sqlite_ = std::move(*store);
  return {};
}

core::Result<void> ShortenerModule::Install(core::App& app) {
  const ShortenerFlags& f = flags_;
  HostBlocklist blocklist;
  if (!f.blocklist.empty()) {
    auto loaded = HostBlocklist::Load(f.blocklist);
    if (!loaded) return Bad("--blocklist: " + loaded.error().detail);
    blocklist = std::move(*loaded);
  }
  UrlPolicyOptions url_options;
  url_options.max_bytes = f.max_url_bytes;
  url_options.reject_credentials = !f.allow_credentials;
  if (!f.public_url.empty()) {
    const std::string host = HostOf(f.public_url);
    if (host.empty()) return Bad("--public-url: '" + f.public_url + "' is not an absolute URL");
    url_options.self_hosts.push_back(host);
  }
  policy_ = std::make_unique<UrlPolicy>(url_options, std::move(blocklist));

  if (auto opened = OpenStore(); !opened) return opened.error();
  LinkStore& store = sqlite_ ? static_cast<LinkStore&>(*sqlite_) : *store_;

  LinkCacheOptions cache_options;
  cache_options.max_bytes = f.cache_bytes;
  const auto policy = cache::ParsePolicy(f.cache_policy);
  if (!policy) return Bad("--cache-policy: unknown policy '" + f.cache_policy + "'");
  cache_options.policy = *policy;
  cache_options.positive_ttl = f.cache_ttl;
  cache_options.negative_ttl = f.negative_ttl;
  cache_options.negative_max_bytes = f.negative_cache_bytes;
  auto link_cache = LinkCache::Create(cache_options, core::SystemClock::Instance());
  if (!link_cache) return Bad("--cache-bytes: " + link_cache.error().detail);
  cache_ = std::move(*link_cache);

  if (f.code_mode == "counter") {
    codes_ = std::make_unique<CounterCodeSource>(store, f.counter_block, f.counter_min_length);
  } else {
    codes_ = std::make_unique<RandomCodeSource>(f.code_length);
  }
  visits_ = std::make_unique<VisitRecorder>(f.visit_buffer);
  ShortenerOptions service_options;
  service_options.default_redirect = f.redirect_status;
  service_options.max_insert_attempts = f.max_insert_attempts;
  service_ = std::make_unique<Shortener>(service_options, *policy_, store, *cache_, *codes_,
                                         *visits_, cache::SystemWallClock::Instance());
  LinksApiOptions api_options;
  api_options.public_url = f.public_url;
  api_options.temporary_max_age = f.redirect_max_age;
  api_options.permanent_max_age = f.permanent_max_age;
  api_ = std::make_unique<LinksApi>(*service_, health_, cache::SystemWallClock::Instance(),
                                    api_options);
  api_->Register(app.router());
  app.readiness().AddCheck("store", [this] { return health_.Check(); });
  RegisterShortenerMetrics(registry_, {.service = service_.get(),
                                       .visits = visits_.get(),
                                       .cache = cache_.get(),
                                       .health = &health_,
                                       .sqlite = sqlite_ ? &sqlite_->executor() : nullptr,
                                       .postgres = pool_.get()});
  background_ =
      std::make_unique<BackgroundTasks>(BackgroundOptions{.flush_interval = f.visit_flush_interval,
                                                          .probe_interval = f.store_check_interval},
                                        store, *visits_, health_, *cache_);
  return {};
}

core::Result<void> ShortenerModule::Start(core::Server& /*server*/) {
  if (background_) background_->Start();
  return {};
}

void ShortenerModule::Release() {
  if (released_) return;
  released_ = true;
  if (background_) background_->Stop();  // the last visits are written here
  if (sqlite_) sqlite_->Close();
  if (pool_) pool_->Close();
}

}  // namespace shortener
