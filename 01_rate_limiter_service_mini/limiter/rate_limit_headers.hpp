// Response header field values that tell clients their limits, per the IETF HTTPAPI draft
// "RateLimit header fields for HTTP" (draft-ietf-httpapi-ratelimit-headers-11, May 2026), which
// uses Structured Field Lists:
//   RateLimit-Policy: "ping";q=5;w=3       the policy: quota q units per window w seconds
//   RateLimit: "ping";r=2;t=1              now: r units left; t = the effective window, seconds
// plus Retry-After (RFC 9110 delay-seconds) on refusals. Pure string formatting.
//
// Mapping a bucket onto (q, w): q = burst, w = seconds to refill an empty bucket, rounded up (a
// sliding window: its limit and length). t = seconds until the key is fully recovered when
// allowed; when refused, t = the retry delay, so Retry-After never points before the end of the
// effective window (the draft's §6 SHOULD NOT). Seconds always round up: a client that waits
// what we said is never early.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "01_rate_limiter_service_mini/algorithms/decision.hpp"
#include "01_rate_limiter_service_mini/limiter/rule.hpp"

namespace ratelimit {

struct QuotaPolicy {
  std::string name;
  std::int64_t quota = 0;           // q
  std::int64_t window_seconds = 1;  // w, >= 1 (the draft forbids 0)
};

// The policy a rule advertises (see the mapping above).
QuotaPolicy PolicyOf(const Rule& rule);

// RateLimit-Policy value for one or more policies: "a";q=5;w=3, "b";q=100;w=60
std::string FormatRateLimitPolicy(std::span<const QuotaPolicy> policies);

// RateLimit value for one decision: "name";r=<remaining>;t=<seconds>. A non-empty
// `partition_key` is added as ;pk=:<base64>: (a Structured Field Byte Sequence). The draft warns
// against exposing sensitive keys: pass one only if the client may see it.
std::string FormatRateLimit(std::string_view policy_name, const Decision& decision,
                            std::string_view partition_key = {});

// Retry-After value (whole seconds, rounded up, at least 1) for a refused decision; nullopt when
// the decision was allowed or can never succeed (Decision::RetryNever: waiting will not help).
std::optional<std::string> RetryAfterValue(const Decision& decision);

// Seconds rounded up; negative durations give 0.
std::int64_t CeilSeconds(std::chrono::nanoseconds d) noexcept;

// A Structured Field String: quoted, with '"' and '\' escaped. Bytes outside printable ASCII
// (not allowed in an sf-string) are replaced by '?'.
std::string SfString(std::string_view s);

}  // namespace ratelimit
