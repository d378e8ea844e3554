#include "06_reliability_patterns_mini/http/reliability_metrics.hpp"

#include <memory>

namespace reliability {
namespace {

using obs::FamilySnapshot;
using obs::MetricType;

FamilySnapshot Family(std::string name, std::string help, MetricType type,
                      std::vector<std::string> labels = {"upstream"}) {
  return {.name = std::move(name),
          .help = std::move(help),
          .type = type,
          .label_names = std::move(labels)};
}

void Add(FamilySnapshot& f, std::vector<std::string> labels, double value) {
  f.metrics.push_back({.label_values = std::move(labels), .value = value});
}

class LabCollector final : public obs::Collector {
 public:
  explicit LabCollector(const LabService& lab) : lab_(lab) {}

  std::vector<std::string> Describe() const override {
    return {"reliability_calls_total",
            "reliability_attempts_total",
            "reliability_retries_total",
            "reliability_hedges_total",
            "reliability_hedges_won_total",
            "reliability_attempt_timeouts_total",
            "reliability_deadline_exceeded_total",
            "reliability_cancelled_total",
            "reliability_rejections_total",
            "reliability_budget_spent_total",
            "reliability_budget_balance",
            "reliability_breaker_state",
            "reliability_breaker_transitions_total",
            "reliability_bulkhead_in_use",
            "reliability_bulkhead_queued",
            "reliability_upstream_requests_total",
            "reliability_upstream_errors_total",
            "reliability_upstream_in_flight"};
  }

  void Collect(std::vector<FamilySnapshot>& out) const override {
    auto calls = Family("reliability_calls_total", "Calls through the pipeline, by result.",
                        MetricType::kCounter, {"upstream", "result"});
    auto attempts =
        Family("reliability_attempts_total", "Attempts started: first tries, retries and hedges.",
               MetricType::kCounter);
    auto retries = Family("reliability_retries_total", "Retries started.", MetricType::kCounter);
    auto hedges =
        Family("reliability_hedges_total", "Hedged attempts started.", MetricType::kCounter);
    auto hedges_won =
        Family("reliability_hedges_won_total", "Calls whose result came from a hedged attempt.",
               MetricType::kCounter);
    auto timeouts = Family("reliability_attempt_timeouts_total",
                           "Attempts cancelled at their timeout.", MetricType::kCounter);
    auto deadline = Family("reliability_deadline_exceeded_total", "Calls that ran out of time.",
                           MetricType::kCounter);
    auto cancelled = Family("reliability_cancelled_total", "Calls cancelled by their caller.",
                            MetricType::kCounter);
    auto rejections =
        Family("reliability_rejections_total", "Calls or attempts a policy refused, by policy.",
               MetricType::kCounter, {"upstream", "policy"});
    auto spent = Family("reliability_budget_spent_total",
                        "Retries and hedges the retry budget paid for.", MetricType::kCounter);
    auto balance =
        Family("reliability_budget_balance", "Retries the budget could still afford in its window.",
               MetricType::kGauge);
    auto state = Family("reliability_breaker_state",
                        "1 for the circuit breaker's current state, 0 for the others.",
                        MetricType::kGauge, {"upstream", "state"});
    auto transitions = Family("reliability_breaker_transitions_total",
                              "Circuit breaker transitions, by the state entered.",
                              MetricType::kCounter, {"upstream", "to"});
    auto in_use = Family("reliability_bulkhead_in_use", "Bulkhead slots held.", MetricType::kGauge);
    auto queued = Family("reliability_bulkhead_queued", "Calls waiting for a bulkhead slot.",
                         MetricType::kGauge);
    auto up_requests =
        Family("reliability_upstream_requests_total",
               "Requests a simulated upstream received (its load).", MetricType::kCounter);
    auto up_errors =
        Family("reliability_upstream_errors_total",
               "Error replies a simulated upstream sent (outages included).", MetricType::kCounter);
    auto up_in_flight = Family("reliability_upstream_in_flight",
                               "Requests a simulated upstream is serving now.", MetricType::kGauge);

    for (const UpstreamEntry* e : lab_.Entries()) {
      const std::string& n = e->name;
      const std::shared_ptr<Pipeline> pipeline = e->pipeline.load();
      const Pipeline& p = *pipeline;
      const PipelineStats s = p.Stats();
      const auto d = [](std::uint64_t v) { return static_cast<double>(v); };
      Add(calls, {n, "success"}, d(s.calls_succeeded));
      Add(calls, {n, "failure"}, d(s.calls_failed));
      Add(attempts, {n}, d(s.attempts));
      Add(retries, {n}, d(s.retries));
      Add(hedges, {n}, d(s.hedges));
      Add(hedges_won, {n}, d(s.hedges_won));
      Add(timeouts, {n}, d(s.attempt_timeouts));
      Add(deadline, {n}, d(s.deadline_exceeded));
      Add(cancelled, {n}, d(s.cancelled));
      Add(rejections, {n, "breaker"}, d(s.rejected_breaker));
      Add(rejections, {n, "bulkhead"}, d(s.rejected_bulkhead));
      Add(rejections, {n, "throttle"}, d(s.rejected_throttle));
      Add(rejections, {n, "budget"}, d(s.budget_exhausted));
      if (const RetryBudget* b = p.budget()) {
        Add(spent, {n}, d(b->Stats().withdrawn));
        Add(balance, {n}, b->Balance());
      }
      if (CircuitBreaker* b = p.breaker()) {
        const BreakerSnapshot snap = b->Snapshot();
        for (int i = 0; i < kBreakerStates; ++i) {
          const auto st = static_cast<BreakerState>(i);
          const std::string name(NameOf(st));
          Add(state, {n, name}, snap.state == st ? 1 : 0);
          Add(transitions, {n, name}, d(snap.stats.transitions[static_cast<std::size_t>(i)]));
        }
      }
      if (const Bulkhead* b = p.bulkhead()) {
        const BulkheadStats bs = b->Stats();
        Add(in_use, {n}, static_cast<double>(bs.in_use));
        Add(queued, {n}, static_cast<double>(bs.queued));
      }
      if (e->sim) {
        const lab::UpstreamStats us = e->sim->Stats();
        Add(up_requests, {n}, d(us.requests));
        Add(up_errors, {n}, d(us.errors));
        Add(up_in_flight, {n}, static_cast<double>(us.in_flight));
      }
    }
    for (auto* f : {&calls, &attempts, &retries, &hedges, &hedges_won, &timeouts, &deadline,
                    &cancelled, &rejections, &spent, &balance, &state, &transitions, &in_use,
                    &queued, &up_requests, &up_errors, &up_in_flight}) {
      out.push_back(std::move(*f));
    }
  }

 private:
  const LabService& lab_;
};

}  // namespace

void RegisterLabMetrics(obs::Registry& registry, const LabService& lab) {
  registry.AddCollector(std::make_shared<LabCollector>(lab));
}

}  // namespace reliability
