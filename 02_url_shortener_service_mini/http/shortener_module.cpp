#include "02_url_shortener_service_mini/http/shortener_module.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "02_url_shortener_service_mini/http/shortener_metrics.hpp"
#include "02_url_shortener_service_mini/store/pg_link_store.hpp"

namespace shortener {
namespace {

core::Error Bad(std::string detail) {
  return core::Error(core::Code::kInvalidArgument, std::move(detail));
}

core::Result<std::chrono::milliseconds> Duration(std::string_view flag, const std::string& text) {
  auto parsed = core::ParseDuration(text);
  if (!parsed || parsed->count() == 0) {
    return Bad(std::string(flag) + ": '" + text + "' is not a positive duration like 500ms or 10s");
  }
  return *parsed;
}

// Runs one task to completion on a private io_context (start-up work before the server runs).
template <class T>
T RunNow(core::Task<T> task) {
  boost::asio::io_context ioc;
  auto future = boost::asio::co_spawn(ioc, std::move(task), boost::asio::use_future);
  ioc.run();
  return future.get();
}

}  // namespace

ShortenerModule::ShortenerModule(obs::Registry& registry) : registry_(registry) {}

ShortenerModule::~ShortenerModule() { Release(); }

void ShortenerModule::AddFlags(core::ServiceCli& cli) {
  CLI::App& app = cli.app();
  ShortenerFlags& f = flags_;
  app.add_option("--data", f.data, "SQLite file (created with its directory on first start)")
      ->envname(cli.Env("data"));
  app.add_option("--postgres", f.postgres,
                 "libpq conninfo (host=10.0.0.5 dbname=links user=app): store in PostgreSQL")
      ->envname(cli.Env("postgres"));
  app.add_option("--pg-max-connections", f.pg_max_connections, "PostgreSQL connections, at most")
      ->envname(cli.Env("pg-max-connections"))
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000}));
  app.add_option("--pg-timeout", f.pg_timeout, "Deadline of one PostgreSQL statement")
      ->envname(cli.Env("pg-timeout"));
  app.add_option("--sqlite-readers", f.sqlite_readers, "SQLite reader threads")
      ->envname(cli.Env("sqlite-readers"))
      ->check(CLI::Range(1, 64));
  app.add_option("--sqlite-sync", f.sqlite_sync,
                 "full: fsync every commit (survives power loss); normal: survives crashes only")
      ->envname(cli.Env("sqlite-sync"))
      ->check(CLI::IsMember({"full", "normal"}));
  app.add_option("--sqlite-max-batch", f.sqlite_max_batch, "Writes per group commit")
      ->envname(cli.Env("sqlite-max-batch"))
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000}));
  app.add_option("--sqlite-max-queue", f.sqlite_max_queue,
                 "Operations waiting for SQLite before 503")
      ->envname(cli.Env("sqlite-max-queue"))
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}));
  app.add_option("--code-mode", f.code_mode,
                 "random: CSPRNG base62; counter: ids reserved in blocks (enumerable)")
      ->envname(cli.Env("code-mode"))
      ->check(CLI::IsMember({"random", "counter"}));
  app.add_option("--code-length", f.code_length, "Random code length (62^7 = 3.5e12 codes)")
      ->envname(cli.Env("code-length"))
      ->check(CLI::Range(kMinCodeLength, kMaxCodeLength));
  app.add_option("--counter-block", f.counter_block, "Ids reserved per store round trip")
      ->envname(cli.Env("counter-block"))
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000}));
  app.add_option("--counter-min-length", f.counter_min_length, "Counter codes are padded to this")
      ->envname(cli.Env("counter-min-length"))
      ->check(CLI::Range(std::size_t{1}, kMaxCodeLength));
  app.add_option("--max-insert-attempts", f.max_insert_attempts,
                 "Codes tried per create before 503 (collisions)")
      ->envname(cli.Env("max-insert-attempts"))
      ->check(CLI::Range(1, 100));
  app.add_option("--redirect-status", f.redirect_status, "Default redirect: 301, 302, 307, 308")
      ->envname(cli.Env("redirect-status"))
      ->check(CLI::IsMember({301, 302, 307, 308}));
  app.add_option("--redirect-max-age", f.redirect_max_age,
                 "Cache-Control max-age of 302/307 (private: browsers only)")
      ->envname(cli.Env("redirect-max-age"))
      ->check(CLI::Range(0, 31'536'000));
  app.add_option("--permanent-max-age", f.permanent_max_age,
                 "Cache-Control max-age of 301/308 (public): clicks within it never reach us")
      ->envname(cli.Env("permanent-max-age"))
      ->check(CLI::Range(0, 31'536'000));
  app.add_option("--public-url", f.public_url,
                 "Base of short URLs (https://sho.rt); default http://<Host header>")
      ->envname(cli.Env("public-url"));
  app.add_option("--max-url-bytes", f.max_url_bytes, "Longest target URL accepted")
      ->envname(cli.Env("max-url-bytes"))
      ->check(CLI::Range(std::size_t{16}, std::size_t{1} << 20));
  app.add_flag("--allow-credentials", f.allow_credentials,
               "Accept user:password@ in target URLs (refused by default: phishing)")
      ->envname(cli.Env("allow-credentials"));
  app.add_option("--blocklist", f.blocklist, "File of blocked hosts, one per line")
      ->envname(cli.Env("blocklist"));
  app.add_option("--cache-bytes", f.cache_bytes, "Memory for cached links")
      ->envname(cli.Env("cache-bytes"))
      ->check(CLI::Range(std::size_t{64} << 10, std::size_t{1} << 40));
  app.add_option("--cache-policy", f.cache_policy, "Eviction: s3fifo, sieve, lru, wtinylfu")
      ->envname(cli.Env("cache-policy"))
      ->check(CLI::IsMember({"s3fifo", "sieve", "lru", "wtinylfu"}));
  app.add_option("--cache-ttl", f.cache_ttl,
                 "Longest a link stays cached (another instance's delete is seen within it)")
      ->envname(cli.Env("cache-ttl"));
  app.add_option("--negative-ttl", f.negative_ttl, "How long an unknown code is remembered")
      ->envname(cli.Env("negative-ttl"));
  app.add_option("--negative-cache-bytes", f.negative_cache_bytes, "Memory for unknown codes")
      ->envname(cli.Env("negative-cache-bytes"))
      ->check(CLI::Range(std::size_t{64} << 10, std::size_t{1} << 36));
  app.add_option("--visit-buffer", f.visit_buffer, "Visits buffered before drops")
      ->envname(cli.Env("visit-buffer"))
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 26));
  app.add_option("--visit-flush-interval", f.visit_flush_interval, "How often visits are written")
      ->envname(cli.Env("visit-flush-interval"));
  app.add_option("--store-check-interval", f.store_check_interval,
                 "How often the store is probed for /readyz")
      ->envname(cli.Env("store-check-interval"));
}

core::Result<void> ShortenerModule::OpenStore() {
  if (!flags_.postgres.empty()) {
    auto timeout = Duration("--pg-timeout", flags_.pg_timeout);
    if (!timeout) return timeout.error();
    core::pg::PgPoolOptions o;
    o.conninfo = flags_.postgres;
    o.max_connections = flags_.pg_max_connections;
    o.query_timeout = *timeout;
    o.acquire_timeout = *timeout;
    pool_ = std::make_unique<core::pg::PgPool>(o);
    auto store = std::make_unique<PgLinkStore>(*pool_);
    core::Result<void> migrated = RunNow(store->Migrate());
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

core::Result<void> ShortenerModule::Install(core::Router& router, core::Pipeline& /*pipeline*/,
                                            core::Readiness& readiness) {
  const ShortenerFlags& f = flags_;
  auto cache_ttl = Duration("--cache-ttl", f.cache_ttl);
  if (!cache_ttl) return cache_ttl.error();
  auto negative_ttl = Duration("--negative-ttl", f.negative_ttl);
  if (!negative_ttl) return negative_ttl.error();
  auto flush = Duration("--visit-flush-interval", f.visit_flush_interval);
  if (!flush) return flush.error();
  auto probe = Duration("--store-check-interval", f.store_check_interval);
  if (!probe) return probe.error();

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
  cache_options.policy = f.cache_policy == "lru"        ? cache::PolicyKind::kLru
                         : f.cache_policy == "sieve"    ? cache::PolicyKind::kSieve
                         : f.cache_policy == "wtinylfu" ? cache::PolicyKind::kWTinyLfu
                                                        : cache::PolicyKind::kS3Fifo;
  cache_options.positive_ttl = std::chrono::duration_cast<std::chrono::seconds>(*cache_ttl);
  cache_options.negative_ttl = std::chrono::duration_cast<std::chrono::seconds>(*negative_ttl);
  if (cache_options.negative_ttl.count() == 0) cache_options.negative_ttl = std::chrono::seconds(1);
  cache_options.negative_max_bytes = f.negative_cache_bytes;
  cache_ = std::make_unique<LinkCache>(cache_options, core::SystemClock::Instance());

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
  api_->Register(router);
  readiness.AddCheck("store", [this] { return health_.Check(); });
  RegisterShortenerMetrics(registry_, {.service = service_.get(),
                                       .visits = visits_.get(),
                                       .cache = cache_.get(),
                                       .health = &health_,
                                       .sqlite = sqlite_ ? &sqlite_->executor() : nullptr,
                                       .postgres = pool_.get()});
  background_ = std::make_unique<BackgroundTasks>(
      BackgroundOptions{.flush_interval = *flush, .probe_interval = *probe}, store, *visits_,
      health_, *cache_);
  return {};
}

void ShortenerModule::Start(core::Server& /*server*/) {
  if (background_) background_->Start();
}

void ShortenerModule::Release() {
  if (released_) return;
  released_ = true;
  if (background_) background_->Stop();  // the last visits are written here
  if (sqlite_) sqlite_->Close();
  if (pool_) pool_->Close();
}

}  // namespace shortener
