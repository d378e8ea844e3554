// Which requests get an access line: every server error and every slow request, plus a sample of
// the rest — nginx's `access_log ... if=`, Envoy's status_code / duration / runtime filters.
//
// Design: the sample is keyed on the trace id, not drawn afresh by each service. The rightmost 8
// bytes of a W3C trace id are random (trace-context Level 2), so comparing them as a uint64 with
// rate·2^64 gives every service on one request's path the same answer, and a sampled request's
// lines line up with its trace — OpenTelemetry's TraceIdRatioBased sampler makes the same cut.
// 4xx are sampled like 2xx: a flood of 404s or 429s must not become a flood of log lines. Pure: no
// clock, no I/O, no randomness of its own (a caller without a trace passes a random key).
#pragma once

#include <chrono>
#include <cstdint>

#include "05_observability_basics_mini/tracing/trace_context.hpp"

namespace obs {

struct AccessLogPolicyOptions {
  double sample_rate = 1.0;          // fraction of ordinary requests logged, 0..1 (1: all)
  std::chrono::nanoseconds slow{0};  // at least this slow: always logged (0: no such rule)
};

// Built once per service, then shared read-only by every request (thread-safe: all const).
//
//   const AccessLogPolicy policy({.sample_rate = 0.01, .slow = std::chrono::milliseconds(250)});
//   if (policy.ShouldLog(status, elapsed, SampleKey(span.trace_id))) WriteAccessLine(...);
class AccessLogPolicy {
 public:
  // A rate above 1 counts as 1, below 0 or NaN as 0 (the flags reject those before this); a
  // negative `slow` as 0. Rates below 2^-64 log nothing: that is the key space's resolution.
  explicit AccessLogPolicy(AccessLogPolicyOptions options = {}) noexcept;

  // True when the line of a request answered with `status` after `elapsed` is to be written:
  // status >= 500, or `slow` set and elapsed >= slow, or Sampled(key).
  bool ShouldLog(int status, std::chrono::nanoseconds elapsed, std::uint64_t key) const noexcept;

  // The sampling rule alone: key < rate·2^64 — never at rate 0, always at rate 1.
  bool Sampled(std::uint64_t key) const noexcept { return all_ || key < threshold_; }

  // True at rate 1 (the default): every request is logged, whatever its status or duration.
  bool logs_everything() const noexcept { return all_; }

 private:
  bool all_ = true;
  std::uint64_t threshold_ = 0;  // keys below it are sampled; unused when all_
  std::chrono::nanoseconds slow_{0};
};

// The sampling key of a trace: its rightmost 8 bytes as a big-endian uint64 (so trace id
// …0000000000000001 is key 1). Pure; the Python twin reads int(trace_id[16:], 16).
std::uint64_t SampleKey(const TraceId& trace_id) noexcept;

}  // namespace obs
