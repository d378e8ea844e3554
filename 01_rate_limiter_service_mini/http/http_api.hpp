// The decision service's HTTP surface: POST /v1/check, the Envoy-ratelimit-style API another
// service calls to ask "may this key spend `cost` units under `rule` now?".
//
//   POST /v1/check {"key": "user-42", "rule": "default", "cost": 1}
//   POST /v1/check {"descriptors": [{"key": "user", "value": "42"}], "rule": "api"}
//   → 200 {"allowed": true, "outcome": "allowed", "rule": "default", "limit": 5, "remaining": 4,
//          "reset_after_ms": 500, "retry_after_ms": 0}
//
// A refusal is still a 200 (the question was answered); retry_after_ms is -1 when the cost can
// never fit. Bad input (bad JSON, missing or oversized key, bad cost, unknown rule) → 400.
#pragma once

#include <cstdint>
#include <string>

#include "01_rate_limiter_service_mini/limiter/limiter.hpp"
#include "01_rate_limiter_service_mini/limiter/rule.hpp"
#include "01_rate_limiter_service_mini/service/decider.hpp"
#include "core/http/exchange.hpp"

namespace ratelimit {

inline constexpr std::int64_t kMaxCost = 1'000'000'000;

// One parsed request of POST /v1/check.
struct CheckRequest {
  const Rule* rule = nullptr;
  std::string key;
  std::int64_t cost = 1;
};

// Parses and validates the body; `default_rule` is used when "rule" is absent. Errors:
// kInvalidArgument naming the field.
core::Result<CheckRequest> ParseCheckRequest(std::string_view body, const Limiter& limiter,
                                             const Rule& default_rule);

// The JSON answer for a verdict.
std::string VerdictJson(const Rule& rule, const Verdict& verdict);

// The handler; `decider` and `default_rule` must outlive the router.
core::Task<void> HandleCheck(Decider* decider, const Rule* default_rule, core::Exchange& ex);

}  // namespace ratelimit
