// Token bucket (the seed's algorithm): a bucket of `burst` tokens refilled at `rate`; a request of
// cost c takes c tokens or is refused. A new client starts with a full bucket.
//
// Exact integer math: tokens are stored in fixed point (Quota::units_per_token() units per token,
// Quota::units_per_ns() units refilled per nanosecond), so there is no floating-point drift and a
// long idle period cannot overflow (refill is capped at the time needed to fill the bucket).
// State is two int64s: 16 bytes per key.
#pragma once

#include <cstdint>

#include "01_rate_limiter_service_mini/algorithms/decision.hpp"
#include "01_rate_limiter_service_mini/algorithms/quota.hpp"
#include "core/base/clock.hpp"

namespace ratelimit {

struct TokenBucket {
  struct State {
    std::int64_t units = 0;       // tokens * quota.units_per_token(), 0..capacity
    std::int64_t updated_ns = 0;  // clock time the units were last brought up to date
  };

  // A key never seen before (or fully recovered): a full bucket.
  static State Fresh(const Quota& quota, core::Clock::time_point now) noexcept;

  // Decides a request of `cost` (>= 0) units at `now`. `state` is changed only when the decision
  // is allowed and cost > 0; cost 0 is a peek (always allowed, changes nothing); cost > burst is
  // refused with retry_after == Decision::kNever. A clock that moves backwards refills nothing.
  // Pure: no locking, no allocation.
  static Decision Decide(const Quota& quota, State& state, std::int64_t cost,
                         core::Clock::time_point now) noexcept;
};

}  // namespace ratelimit
