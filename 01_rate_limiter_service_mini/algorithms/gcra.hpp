// GCRA, the generic cell rate algorithm (as in redis-cell's CL.THROTTLE): one timestamp per key,
// the "theoretical arrival time" (TAT) at which the key would be fully recovered.
//
// With emission interval T = period / count (rounded up to a whole ns) and tolerance tau = burst*T:
//   tat'     = max(tat, now) + cost*T
//   allowed  iff tat' - now <= tau                      (then store tat')
//   remaining = floor((tau - (tat' - now)) / T)          (tat instead of tat' when refused)
//   reset_after = tat' - now;  retry_after = tat' - tau - now when refused
// This is the same schedule as a token bucket of `burst` tokens; `burst` here is redis-cell's
// `limit` (its max_burst + 1). 8 bytes of state per key; the same formulas fit in a Lua script.
#pragma once

#include <cstdint>

#include "01_rate_limiter_service_mini/algorithms/decision.hpp"
#include "01_rate_limiter_service_mini/algorithms/quota.hpp"
#include "core/base/clock.hpp"

namespace ratelimit {

struct Gcra {
  struct State {
    std::int64_t tat_ns = 0;  // theoretical arrival time, clock nanoseconds
  };

  // A key never seen before (or fully recovered): TAT = now.
  static State Fresh(const Quota& quota, core::Clock::time_point now) noexcept;

  // Same contract as TokenBucket::Decide: state changes only when allowed and cost > 0; cost 0
  // peeks; cost > burst is refused with Decision::kNever. Pure.
  static Decision Decide(const Quota& quota, State& state, std::int64_t cost,
                         core::Clock::time_point now) noexcept;
};

}  // namespace ratelimit
