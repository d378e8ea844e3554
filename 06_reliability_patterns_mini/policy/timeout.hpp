// Timeouts: one per attempt and one for the whole call, and the arithmetic that makes the remaining
// deadline propagate — an attempt never gets more than what is left of the call, and what it gets
// is what the outbound request announces downstream (the HTTP adapter's X-Request-Timeout-Ms), so
// the upstream can stop working on an answer nobody will wait for.
#pragma once

#include <algorithm>
#include <chrono>

#include "core/base/clock.hpp"

namespace reliability {

using TimePoint = core::Clock::time_point;

// attempt: resilience4j's TimeLimiter default (1 s) — a per-RPC bound; Polly v8's 30 s default is
// for whole operations. total: Envoy's default route timeout (15 s). A caller's own, sooner
// deadline (an inbound X-Request-Timeout-Ms, the gateway's route) always wins.
struct TimeoutOptions {
  core::Clock::duration attempt = std::chrono::seconds(1);  // one attempt, > 0
  core::Clock::duration total = std::chrono::seconds(15);   // the call with its retries, > 0
};

// The call's deadline: `total` from `start`, or `caller_deadline` if that is sooner.
// `caller_deadline` == TimePoint::max() means the caller has none.
inline TimePoint CallDeadline(const TimeoutOptions& options, TimePoint start,
                              TimePoint caller_deadline = TimePoint::max()) noexcept {
  return std::min(start + options.total, caller_deadline);
}

// An attempt started at `now` ends at its own timeout or at the call's deadline, whichever is
// first.
inline TimePoint AttemptDeadline(const TimeoutOptions& options, TimePoint now,
                                 TimePoint call_deadline) noexcept {
  return std::min(now + options.attempt, call_deadline);
}

// What is left until `deadline` (zero once it has passed).
inline core::Clock::duration Remaining(TimePoint now, TimePoint deadline) noexcept {
  return deadline > now ? deadline - now : core::Clock::duration::zero();
}

}  // namespace reliability
