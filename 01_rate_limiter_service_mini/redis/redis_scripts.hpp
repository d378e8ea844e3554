// The Lua script that makes one rate-limit decision inside Redis, and the glue around it: the
// integer constants a rule turns into, the EVALSHA arguments, and the reply's decoding.
//
// Design: the script mirrors algorithm.hpp's three algorithms line for line and reads the time
// from Redis itself (redis.call('TIME')), so every replica that shares a Redis shares one clock
// and one atomic read-modify-write per decision (no WATCH/MULTI retry loop, no client clock skew).
// Redis's Lua numbers are doubles, exact only below 2^53: the math runs in integer "ticks" of
// 1 µs (1 ms when a rule's constants would not fit in µs) and ScriptParamsFor refuses rules whose
// intermediate values could reach 2^52. State is a small hash per key that expires (PEXPIREAT,
// on the same TIME clock) when it is fully recovered, so Redis forgets idle keys on its own.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "01_rate_limiter_service_mini/algorithms/algorithm.hpp"
#include "01_rate_limiter_service_mini/algorithms/decision.hpp"
#include "01_rate_limiter_service_mini/algorithms/quota.hpp"
#include "core/base/error.hpp"
#include "core/redis/redis_client.hpp"

namespace ratelimit {

// The script text (for EVAL and SCRIPT LOAD).
std::string_view DecideScript() noexcept;

// A rule's quota as the script's integer arguments.
struct ScriptParams {
  std::string_view algorithm;  // "tb", "gcra", "sw"
  std::int64_t tick_us = 1;    // µs per time unit: 1 or 1000
  std::int64_t limit = 0;      // the burst (window limit for sw)
  // tb: units per token, units refilled per tick; gcra: emission interval in ticks, 0;
  // sw: window length in ticks, 0.
  std::int64_t c1 = 0;
  std::int64_t c2 = 0;
};

// Errors (kInvalidArgument, detail says why): the period is not a whole number of µs, or the
// rule's numbers are too large for exact double arithmetic even in ms ticks (e.g. a sliding
// window of more than ~2.6 million per day). Check every rule with it at start-up.
core::Result<ScriptParams> ScriptParamsFor(Algorithm algorithm, const Quota& quota);

// {command, sha_or_script, "1", key, algorithm, tick, cost, limit, c1, c2}: the arguments of
// EVALSHA (pass the script's SHA1) or EVAL (pass the script text).
std::vector<std::string> DecideArgs(std::string_view command, std::string_view sha_or_script,
                                    std::string_view redis_key, const ScriptParams& params,
                                    std::int64_t cost);

// What the script answered.
struct ScriptResult {
  Decision decision;
  std::int64_t redis_now_us = 0;  // the Redis clock (µs since the Unix epoch) it decided at
};

// Decodes the script's reply {allowed, limit, remaining, reset_after, retry_after (-1 = never),
// now_us} (times in ticks). Errors (kBadGateway): an error reply or any other shape.
core::Result<ScriptResult> ParseDecideReply(const core::RedisReply& reply,
                                            const ScriptParams& params);

}  // namespace ratelimit
