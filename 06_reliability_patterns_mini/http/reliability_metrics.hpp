// The lab's Prometheus families, read at scrape time from the pipelines' and simulators' own
// counters (no second set to keep in step). Per upstream:
//   reliability_calls_total{upstream,result}          result: success | failure
//   reliability_attempts_total, reliability_retries_total, reliability_hedges_total,
//   reliability_hedges_won_total, reliability_attempt_timeouts_total,
//   reliability_deadline_exceeded_total, reliability_cancelled_total
//   reliability_rejections_total{upstream,policy}     policy: breaker | bulkhead | throttle |
//   budget reliability_budget_spent_total                    retries and hedges the budget paid for
//   reliability_budget_balance                        retries it could still afford (gauge)
//   reliability_breaker_state{upstream,state}         1 for the current state, 0 for the others
//   reliability_breaker_transitions_total{upstream,to}
//   reliability_bulkhead_in_use, reliability_bulkhead_queued (gauges)
//   reliability_upstream_requests_total, reliability_upstream_errors_total,
//   reliability_upstream_in_flight                    the simulated upstreams' side: the load
//                                                     they actually received
#pragma once

#include "05_observability_basics_mini/metrics/registry.hpp"
#include "06_reliability_patterns_mini/http/lab_service.hpp"

namespace reliability {

// Adds the families above; `lab` must outlive the registry's scrapes.
void RegisterLabMetrics(obs::Registry& registry, const LabService& lab);

}  // namespace reliability
