// The JSON the lab shows people: a call's attempt trace, a breaker's state. Durations are
// milliseconds with three decimals ("offset_ms": 25.041), written by hand rather than through
// Boost.JSON, whose doubles come out as "2.5041E1".
#pragma once

#include <string>
#include <string_view>

#include "06_reliability_patterns_mini/pipeline/call_trace.hpp"
#include "06_reliability_patterns_mini/policy/circuit_breaker.hpp"

namespace reliability {

// {"attempts":[{"n":1,"hedge":false,"offset_ms":0.0,"duration_ms":1.2,"outcome":"ok",
//   "status":200,"verdict":"success","breaker":"closed","won":true}],"ended_by":"success",
//  "refusal":"none","total_ms":1.3,"queued_ms":0.0,"retries":0,"hedges":0}
std::string TraceJson(const CallTrace& trace);

// {"name":"a","state":"open","calls":10,"failures":6,"slow":0,"failure_rate":0.6,
//  "slow_call_rate":0.0,"probes_in_flight":0,"probe_successes":0,"open_remaining_ms":4200.0,
//  "rejected":3,"transitions":{"closed":0,"open":1,...},
//  "recent":[{"from":"closed","to":"open","reason":"failure_rate","ago_ms":800.0}]}
// Rates are null below the breaker's minimum number of calls. `now` dates the recent transitions.
std::string BreakerJson(std::string_view name, const BreakerSnapshot& s,
                        core::Clock::time_point now);

// Appends `d` in milliseconds with three decimals.
void AppendMillis(std::string& out, core::Clock::duration d);
// Appends `s` as a JSON string (quotes, escapes, control characters as \u00XX).
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace reliability
