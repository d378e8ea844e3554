// The rate-limit service: given (rule, key, cost) it asks the store for a decision, applies the
// rule's policy on top (shadow mode, failure mode) and counts the outcome.
//
// This is what both front doors call: the HTTP middleware (key from the request) and the
// POST /v1/check decision endpoint (key from the caller). Rules are fixed at construction and
// shared read-only; counters are plain relaxed atomics (RATELIMIT_RULE_STATS) that a metrics
// exporter reads.
//
//   ```cpp
//   // `store` (a ShardedMemoryStore, or Redis's) and `clock` must outlive the limiter.
//   core::Result<std::unique_ptr<ratelimit::Limiter>> MakeLimiter(ratelimit::DecisionStore& store,
//                                                                 const core::Clock& clock) {
//     auto rule = ratelimit::ParseRuleFlag("name=api,algo=gcra,rate=100/s,burst=20,key=ip");
//     if (!rule) return rule.error();  // kInvalidArgument, naming the field
//     return ratelimit::Limiter::Create({*rule}, store, clock);
//   }
//   bool Admit(ratelimit::Limiter& limiter, std::string_view client_ip) {
//     const core::Result<ratelimit::Verdict> verdict = limiter.Check("api", client_ip);
//     return verdict && !verdict->Blocked();  // an error: an unknown rule or a bad key or cost
//   }
//   ```
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "01_rate_limiter_service_mini/algorithms/decision.hpp"
#include "01_rate_limiter_service_mini/limiter/decision_store.hpp"
#include "01_rate_limiter_service_mini/limiter/keys.hpp"
#include "01_rate_limiter_service_mini/limiter/rule.hpp"
#include "05_observability_basics_mini/metrics/stats.hpp"
#include "core/base/clock.hpp"
#include "core/base/error.hpp"

namespace ratelimit {

enum class Outcome {
  kAllowed,        // admitted
  kLimited,        // refused: answer 429
  kShadowLimited,  // over the limit but the rule is in shadow mode: admitted, counted
};
// "allowed", "limited", "shadow_limited" (metric label values).
std::string_view NameOf(Outcome outcome) noexcept;

struct Verdict {
  Decision decision;  // the algorithm's numbers (decision.allowed is false for kShadowLimited)
  Outcome outcome = Outcome::kAllowed;
  // The store failed; `decision` was synthesized from the rule's failure mode: open = allowed with
  // remaining 0, closed = refused with retry_after 1 s. Do not send RateLimit fields for it.
  bool store_failed = false;

  bool Blocked() const noexcept { return outcome == Outcome::kLimited; }
};

inline constexpr std::string_view kDecisionsHelp = "Rate-limit decisions by rule and outcome.";

// One rule's counters, monotonic since start, declared once (05's stats.hpp): RuleStats (a
// snapshot), RuleCounters (the live ones) and the Prometheus families all come from this list.
// The outcome labels are NameOf(Outcome)'s. store_errors counts the decisions the failure mode
// made (each is also counted under its outcome).
#define RATELIMIT_RULE_STATS(COUNTER, GAUGE)                                                     \
  COUNTER(allowed, "ratelimit_decisions_total", "outcome=allowed", kDecisionsHelp)               \
  COUNTER(limited, "ratelimit_decisions_total", "outcome=limited", kDecisionsHelp)               \
  COUNTER(shadow_limited, "ratelimit_decisions_total", "outcome=shadow_limited", kDecisionsHelp) \
  COUNTER(store_errors, "ratelimit_store_errors_total", "",                                      \
          "Decisions made by the rule's failure mode because the store did not answer.")
SD_STATS_SNAPSHOT(RuleStats, RATELIMIT_RULE_STATS)
SD_STATS_COUNTERS(RuleCounters, RuleStats, RATELIMIT_RULE_STATS)

class Limiter {
 public:
  // `store` and `clock` are not owned and must outlive the limiter.
  // Errors (kInvalidArgument): no rules, or two rules with the same name.
  static core::Result<std::unique_ptr<Limiter>> Create(std::vector<Rule> rules,
                                                       DecisionStore& store,
                                                       const core::Clock& clock);

  // The rule with this name, or nullptr. The pointer is valid for the limiter's lifetime; resolve
  // once at start-up and keep it.
  const Rule* FindRule(std::string_view name) const noexcept;
  std::span<const Rule> rules() const noexcept { return rules_; }

  // Decides and counts a request costing `cost` units (default 1; 0 = peek, which is always
  // allowed and consumes nothing) for `key` under the named rule, at clock.Now().
  // Errors (kInvalidArgument): unknown rule name, cost < 0, key longer than kMaxStoredKeyBytes (a
  // backstop: the front doors hold what a client chooses to kMaxKeyBytes first, keys.hpp).
  // Store failures are not errors: the rule's failure mode decides (Verdict::store_failed).
  // Thread-safe.
  core::Result<Verdict> Check(std::string_view rule_name, std::string_view key,
                              std::int64_t cost = 1);
  // As above for a rule obtained from FindRule/rules() of this limiter (precondition).
  core::Result<Verdict> Check(const Rule& rule, std::string_view key, std::int64_t cost = 1);

  // The two halves of Check, for a caller that runs the store itself (an async Redis store):
  // ValidateRequest first, then Finish with what the store returned. Finish applies shadow and
  // failure mode and counts the outcome. Thread-safe.
  static core::Result<void> ValidateRequest(std::string_view key, std::int64_t cost);
  Verdict Finish(const Rule& rule, const core::Result<Decision>& decided);

  // Counters for a rule of this limiter.
  RuleStats Stats(const Rule& rule) const;
  StoreStats store_stats() const { return store_.Stats(); }

  const core::Clock& clock() const noexcept { return clock_; }

 private:
  Limiter(std::vector<Rule> rules, DecisionStore& store, const core::Clock& clock);
  RuleCounters& CountersOf(const Rule& rule) const noexcept;

  std::vector<Rule> rules_;
  std::unique_ptr<RuleCounters[]> counters_;
  DecisionStore& store_;
  const core::Clock& clock_;
};

}  // namespace ratelimit
