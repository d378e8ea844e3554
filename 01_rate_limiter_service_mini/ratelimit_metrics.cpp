#include "01_rate_limiter_service_mini/ratelimit_metrics.hpp"

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

}  // namespace

void RegisterLimiterMetrics(obs::Registry& registry, const Limiter& limiter) {
  registry.AddCollector(std::make_shared<LimiterCollector>(limiter));
}

}  // namespace ratelimit
