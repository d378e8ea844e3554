#include "01_rate_limiter_service_mini/limiter/limiter.hpp"

#include <cassert>

#include "01_rate_limiter_service_mini/limiter/config.hpp"

namespace ratelimit {

std::string_view NameOf(Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::kAllowed:
      return "allowed";
    case Outcome::kLimited:
      return "limited";
    case Outcome::kShadowLimited:
      return "shadow_limited";
  }
  return "unknown";
}

core::Result<std::unique_ptr<Limiter>> Limiter::Create(std::vector<Rule> rules,
                                                       DecisionStore& store,
                                                       const core::Clock& clock) {
  if (auto ok = ValidateRules(rules); !ok) return ok.error();
  return std::unique_ptr<Limiter>(new Limiter(std::move(rules), store, clock));
}

Limiter::Limiter(std::vector<Rule> rules, DecisionStore& store, const core::Clock& clock)
    : rules_(std::move(rules)),
      counters_(std::make_unique<RuleCounters[]>(rules_.size())),
      store_(store),
      clock_(clock) {}

const Rule* Limiter::FindRule(std::string_view name) const noexcept {
  for (const Rule& r : rules_) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

RuleCounters& Limiter::CountersOf(const Rule& rule) const noexcept {
  const auto index = static_cast<std::size_t>(&rule - rules_.data());
  assert(index < rules_.size() && "rule does not belong to this limiter");
  return counters_[index];
}

core::Result<void> Limiter::ValidateRequest(std::string_view key, std::int64_t cost) {
  if (cost < 0) {
    return core::Error(core::Code::kInvalidArgument, "cost: must be >= 0");
  }
  if (key.size() > kMaxStoredKeyBytes) {
    return core::Error(core::Code::kInvalidArgument,
                       "key: longer than " + std::to_string(kMaxStoredKeyBytes) + " bytes");
  }
  return {};
}

core::Result<Verdict> Limiter::Check(std::string_view rule_name, std::string_view key,
                                     std::int64_t cost) {
  const Rule* rule = FindRule(rule_name);
  if (rule == nullptr) {
    return core::Error(core::Code::kInvalidArgument,
                       "rule: no rule named '" + std::string(rule_name) + "'");
  }
  return Check(*rule, key, cost);
}

core::Result<Verdict> Limiter::Check(const Rule& rule, std::string_view key, std::int64_t cost) {
  if (auto ok = ValidateRequest(key, cost); !ok) return ok.error();
  return Finish(rule, store_.Decide(rule, key, cost, clock_.Now()));
}

Verdict Limiter::Finish(const Rule& rule, const core::Result<Decision>& decided) {
  RuleCounters& c = CountersOf(rule);
  Verdict v;
  if (decided) {
    v.decision = *decided;
  } else {
    v.store_failed = true;
    c.store_errors.Inc();
    v.decision.limit = rule.quota.burst();
    if (rule.failure_mode == FailureMode::kOpen) {
      v.decision.allowed = true;
    } else {
      v.decision.retry_after = std::chrono::seconds(1);
    }
  }
  if (v.decision.allowed) {
    v.outcome = Outcome::kAllowed;
    c.allowed.Inc();
  } else if (rule.shadow) {
    v.outcome = Outcome::kShadowLimited;
    c.shadow_limited.Inc();
  } else {
    v.outcome = Outcome::kLimited;
    c.limited.Inc();
  }
  return v;
}

RuleStats Limiter::Stats(const Rule& rule) const { return CountersOf(rule).Load(); }

}  // namespace ratelimit
