#include "01_rate_limiter_service_mini/http/ratelimit_metrics.hpp"

namespace ratelimit {
namespace {

class LimiterCollector final : public obs::Collector {
 public:
  explicit LimiterCollector(const Limiter& limiter) : limiter_(limiter) {}

  std::vector<std::string> Describe() const override {
    return {"ratelimit_decisions_total", "ratelimit_store_errors_total", "ratelimit_tracked_keys",
            "ratelimit_evictions_total", "ratelimit_expired_keys_total"};
  }

  void Collect(std::vector<obs::FamilySnapshot>& out) const override {
    obs::FamilySnapshot decisions{.name = "ratelimit_decisions_total",
                                  .help = "Rate-limit decisions by rule and outcome.",
                                  .type = obs::MetricType::kCounter,
                                  .label_names = {"rule", "outcome"}};
    obs::FamilySnapshot errors{.name = "ratelimit_store_errors_total",
                               .help =
                                   "Decisions made by the rule's failure mode because the "
                                   "store did not answer.",
                               .type = obs::MetricType::kCounter,
                               .label_names = {"rule"}};
    for (const Rule& rule : limiter_.rules()) {
      const RuleStats s = limiter_.Stats(rule);
      const std::pair<Outcome, std::uint64_t> outcomes[] = {
          {Outcome::kAllowed, s.allowed},
          {Outcome::kLimited, s.limited},
          {Outcome::kShadowLimited, s.shadow_limited}};
      for (const auto& [outcome, count] : outcomes) {
        decisions.metrics.push_back(
            {.label_values = {rule.name, std::string(NameOf(outcome))}, .value = double(count)});
      }
      errors.metrics.push_back({.label_values = {rule.name}, .value = double(s.store_errors)});
    }
    const StoreStats store = limiter_.store_stats();
    out.push_back(std::move(decisions));
    out.push_back(std::move(errors));
    out.push_back(Single("ratelimit_tracked_keys", "Keys with rate-limit state in the local store.",
                         obs::MetricType::kGauge, double(store.tracked_keys)));
    out.push_back(Single("ratelimit_evictions_total",
                         "Live keys evicted (least recently used) to stay under --max-keys.",
                         obs::MetricType::kCounter, double(store.evictions)));
    out.push_back(Single("ratelimit_expired_keys_total",
                         "Fully recovered keys forgotten (they carried no information).",
                         obs::MetricType::kCounter, double(store.expired)));
  }

 private:
  static obs::FamilySnapshot Single(std::string name, std::string help, obs::MetricType type,
                                    double value) {
    return {.name = std::move(name),
            .help = std::move(help),
            .type = type,
            .metrics = {{.value = value}}};
  }

  const Limiter& limiter_;
};

class RedisCollector final : public obs::Collector {
 public:
  RedisCollector(const RedisStore& store, const core::RedisClient& client)
      : store_(store), client_(client) {}

  std::vector<std::string> Describe() const override {
    return {"ratelimit_redis_decisions_total", "ratelimit_redis_deny_cache_hits_total",
            "ratelimit_redis_errors_total", "ratelimit_redis_connects_total",
            "ratelimit_redis_disconnects_total"};
  }

  void Collect(std::vector<obs::FamilySnapshot>& out) const override {
    const RedisStoreStats s = store_.Stats();
    const core::RedisClientStats c = client_.Stats();
    using obs::MetricType;
    out.push_back(Counter("ratelimit_redis_decisions_total", "Decisions asked of the Redis store.",
                          double(s.decisions)));
    out.push_back(Counter("ratelimit_redis_deny_cache_hits_total",
                          "Refusals answered from the local deny cache, without a round trip.",
                          double(s.deny_cache_hits)));
    out.push_back({.name = "ratelimit_redis_errors_total",
                   .help = "Redis decisions that failed (the rule's failure mode decided).",
                   .type = MetricType::kCounter,
                   .label_names = {"kind"},
                   .metrics = {{.label_values = {"timeout"}, .value = double(s.timeouts)},
                               {.label_values = {"unavailable"}, .value = double(s.unavailable)},
                               {.label_values = {"bad_reply"}, .value = double(s.bad_replies)}}});
    out.push_back(Counter("ratelimit_redis_connects_total", "Connections established to Redis.",
                          double(c.connects)));
    out.push_back(Counter("ratelimit_redis_disconnects_total",
                          "Established Redis connections lost.", double(c.disconnects)));
  }

 private:
  static obs::FamilySnapshot Counter(std::string name, std::string help, double value) {
    return {.name = std::move(name),
            .help = std::move(help),
            .type = obs::MetricType::kCounter,
            .metrics = {{.value = value}}};
  }

  const RedisStore& store_;
  const core::RedisClient& client_;
};

}  // namespace

void RegisterRedisMetrics(obs::Registry& registry, const RedisStore& store,
                          const core::RedisClient& client) {
  registry.AddCollector(std::make_shared<RedisCollector>(store, client));
}

void RegisterLimiterMetrics(obs::Registry& registry, const Limiter& limiter) {
  registry.AddCollector(std::make_shared<LimiterCollector>(limiter));
}

}  // namespace ratelimit
