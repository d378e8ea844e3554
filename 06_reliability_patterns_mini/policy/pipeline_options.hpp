// Everything a pipeline is built from, one struct per policy, and its JSON form — what the
// gateway's per-route config and sd-reliability's --policy flag carry:
//
//   {"timeout":  {"attempt_ms": 1000, "total_ms": 15000},
//    "retry":    {"max_attempts": 3, "backoff": "exponential", "base_ms": 25, "max_ms": 250,
//                 "jitter": "full"},
//    "budget":   {"ratio": 0.2, "min_per_second": 10, "window_ms": 10000},
//    "breaker":  {"window": "count", "window_size": 100, "minimum_calls": 100,
//                 "failure_rate": 0.5, "slow_call_rate": 1.0, "slow_call_ms": 60000,
//                 "open_ms": 5000, "half_open_probes": 3},
//    "bulkhead": {"max_concurrent": 1024, "max_queue": 0, "max_wait_ms": 0},
//    "hedge":    {"max_hedges": 1, "delay_ms": 2000, "percentile": 95, "min_samples": 100,
//                 "window": 1000},
//    "throttle": {"k": 2.0, "window_ms": 120000}}
//
// Every member is optional and falls back to the default documented beside its field. A policy
// section may also be `true` (on, defaults) or `false`/`null` (off). Strict: unknown members are
// errors, and every error names its field ("breaker.failure_rate: must be in (0, 1]").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "06_reliability_patterns_mini/policy/adaptive_throttle.hpp"
#include "06_reliability_patterns_mini/policy/backoff.hpp"
#include "06_reliability_patterns_mini/policy/bulkhead.hpp"
#include "06_reliability_patterns_mini/policy/circuit_breaker.hpp"
#include "06_reliability_patterns_mini/policy/hedging.hpp"
#include "06_reliability_patterns_mini/policy/retry_budget.hpp"
#include "06_reliability_patterns_mini/policy/timeout.hpp"
#include "core/base/error.hpp"

namespace reliability {

// max_attempts: resilience4j's 3 (the first attempt included), the same as failsafe-go's 2
// retries; Polly v8's 3 retries (4 attempts) and Envoy's single retry bracket it. The waits:
// Envoy's (backoff.hpp).
struct RetryOptions {
  int max_attempts = 3;  // 1 = no retries; at most kMaxAttempts
  BackoffOptions backoff;
};

// Which policies are on by default: timeout, retry, budget, breaker and bulkhead (a retry without
// a budget is how retry storms start); hedging and throttling are opt-in, as in every anchor.
struct PipelineOptions {
  TimeoutOptions timeout;
  RetryOptions retry;
  std::optional<RetryBudgetOptions> budget = RetryBudgetOptions{};
  std::optional<BreakerOptions> breaker = BreakerOptions{};
  std::optional<BulkheadOptions> bulkhead = BulkheadOptions{};
  std::optional<HedgeOptions> hedge;
  std::optional<ThrottleOptions> throttle;
};

// Limits on what a config may ask for (bad input must not make us sleep for a week or allocate a
// million-slot window).
inline constexpr int kMaxAttempts = 10;
inline constexpr int kMaxHedges = 3;
inline constexpr std::int64_t kMaxDurationMs = 3'600'000;  // any delay or window: one hour
inline constexpr int kMaxCountWindow = 10'000;
inline constexpr int kMaxTimeWindowSeconds = 3'600;
inline constexpr int kMaxConcurrent = 1'000'000;
inline constexpr int kMaxQueue = 100'000;
inline constexpr int kMaxLatencyWindow = 100'000;

// Parses the JSON text above. Errors: kInvalidArgument naming the field (or the syntax error).
core::Result<PipelineOptions> ParsePipelineOptions(std::string_view json_text);

// Checks ranges and cross-field rules (the same checks ParsePipelineOptions applies, for options
// built in code). Errors: kInvalidArgument naming the field.
core::Result<void> ValidatePipelineOptions(const PipelineOptions& options);

// The canonical JSON of `options` (every field, disabled policies as false). Parsing it gives the
// same options back.
std::string PipelineOptionsToJson(const PipelineOptions& options);

}  // namespace reliability
