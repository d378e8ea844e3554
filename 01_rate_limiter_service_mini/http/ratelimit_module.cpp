#include "01_rate_limiter_service_mini/http/ratelimit_module.hpp"

#include "01_rate_limiter_service_mini/http/http_api.hpp"
#include "01_rate_limiter_service_mini/http/ratelimit_metrics.hpp"
#include "core/base/clock.hpp"
#include "core/base/host_port.hpp"

namespace ratelimit {

RateLimitModule::RateLimitModule(obs::Registry& registry, RateLimitModuleOptions options)
    : registry_(registry), options_(std::move(options)) {}

RateLimitModule::~RateLimitModule() { Stop(); }

void RateLimitModule::AddFlags(core::ServiceCli& cli) {
  cli.AddOption("rule", flags_.rules,
                "A rule: name=ping,algo=token_bucket|gcra|sliding_window,rate=2/s,burst=5,"
                "key=ip|header:<name>|route|descriptor,shadow=false,failure=open|closed");
  cli.AddOption("config", flags_.config_file, "JSON file with rules and trusted_proxies");
  cli.AddOption("default-rule", flags_.default_rule,
                "Rule guarding the service's routes and used by /v1/check");
  cli.AddOption("trusted-proxy", flags_.trusted_proxies,
                "Address or CIDR whose X-Forwarded-For is believed");
  cli.AddOption("max-keys", flags_.max_keys, "Tracked keys (memory cap; LRU evicts beyond)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 32));
  cli.AddOption("shards", flags_.shards, "Independent locks of the key table (1 = one global lock)")
      ->check(CLI::Range(1, 4096));
  cli.AddDuration("sweep-interval", flags_.sweep_interval, "How often idle keys are forgotten");
  cli.AddOption("redis", flags_.redis,
                "host:port of a Redis all instances share (default: decide locally)");
  cli.AddDuration("redis-timeout", flags_.redis_timeout,
                  "Deadline of one Redis decision; then the rule's failure mode decides");
}

// Rules and trusted proxies from --config, then --rule / --trusted-proxy, else the seed's rule.
core::Result<Config> RateLimitModule::BuildConfig() const {
  Config config;
  if (!flags_.config_file.empty()) {
    auto loaded = LoadConfigFile(flags_.config_file);
    if (!loaded) return loaded.error();
    config = std::move(*loaded);
  }
  for (const auto& text : flags_.rules) {
    auto rule = ParseRuleFlag(text);
    if (!rule) return rule.error();
    config.rules.push_back(std::move(*rule));
  }
  if (config.rules.empty()) config.rules.push_back(DefaultRule());
  if (!flags_.trusted_proxies.empty()) {
    auto trusted = TrustedProxies::Parse(flags_.trusted_proxies);
    if (!trusted) return trusted.error();
    auto networks = config.trusted_proxies.networks();
    networks.insert(networks.end(), trusted->networks().begin(), trusted->networks().end());
    config.trusted_proxies = TrustedProxies(std::move(networks));
  }
  if (auto ok = ValidateRules(config.rules); !ok) return ok.error();
  return config;
}

// Shared state in Redis when asked for (the local store then stays empty).
core::Result<void> RateLimitModule::ConnectRedis() {
  auto address = core::ParseHostPort(flags_.redis);
  if (!address)
    return core::Error(core::Code::kInvalidArgument, "--redis: " + address.error().detail);
  for (const auto& rule : limiter_->rules()) {
    if (auto ok = RedisStore::Supports(rule); !ok) return ok.error();
  }
  core::RedisClientOptions client_options;
  client_options.host = address->host;
  client_options.port = address->port;
  client_options.command_timeout = flags_.redis_timeout;
  RedisStoreOptions store_options;
  store_options.timeout = flags_.redis_timeout;
  redis_client_ = std::make_unique<core::RedisClient>(client_options);
  redis_store_ =
      std::make_unique<RedisStore>(*redis_client_, core::SystemClock::Instance(), store_options);
  RegisterRedisMetrics(registry_, *redis_store_, *redis_client_);
  return {};
}

core::Result<void> RateLimitModule::Install(core::App& app) {
  auto config = BuildConfig();
  if (!config) return config.error();
  config_ = std::move(*config);
  store_ = std::make_unique<ShardedMemoryStore>(MemoryStoreOptions{
      .max_keys = flags_.max_keys, .shards = flags_.shards, .hash_key = std::nullopt});
  auto limiter = Limiter::Create(config_.rules, *store_, core::SystemClock::Instance());
  if (!limiter) return limiter.error();
  limiter_ = std::move(*limiter);
  default_rule_ = limiter_->FindRule(flags_.default_rule);
  if (!default_rule_) {
    return core::Error(core::Code::kInvalidArgument,
                       "--default-rule: no rule named '" + flags_.default_rule + "'");
  }
  if (default_rule_->key_source == KeySource::kDescriptor) {
    return core::Error(core::Code::kInvalidArgument,
                       "--default-rule: a descriptor rule cannot guard routes");
  }
  if (!flags_.redis.empty()) {
    if (auto ok = ConnectRedis(); !ok) return ok.error();
  }
  decider_ = std::make_unique<Decider>(*limiter_, redis_store_.get());
  RegisterLimiterMetrics(registry_, *limiter_);
  app.pipeline().Use(std::make_shared<RateLimitMiddleware>(
      *decider_, RateLimitScope{.rule = default_rule_,
                                .routes = options_.guarded_routes,
                                .trusted_proxies = config_.trusted_proxies}));
  if (options_.check_api) {
    app.router().Post("/v1/check", [d = decider_.get(), r = default_rule_](core::Exchange& ex) {
      return HandleCheck(d, r, ex);
    });
  }
  return {};
}

core::Result<void> RateLimitModule::Start(core::Server&) {
  // Forget fully recovered keys in the background (bounded work: one shard lock at a time).
  sweeper_ = std::make_unique<core::Ticker>(flags_.sweep_interval, [store = store_.get()] {
    store->Sweep(core::SystemClock::Instance().Now());
  });
  return {};
}

void RateLimitModule::Stop() {
  if (sweeper_) sweeper_->Stop();
  // An open Redis connection keeps its io_context busy; requests still draining are then decided
  // by their rule's failure mode.
  if (redis_client_) redis_client_->Close();
}

}  // namespace ratelimit
