// Sliding-window counter (Cloudflare's approach): two fixed windows of length W = rate.period
// aligned to the clock's epoch, the previous window's count weighted by how much of it still
// overlaps the sliding window that ends now:
//   estimate = prev * (W - elapsed) / W + curr,  allowed iff estimate + cost <= limit
// with limit = rate.count. It smooths the fixed window's double burst at a boundary at the cost
// of assuming the previous window's requests were evenly spread — pessimistic for small limits
// (see SmallLimitsAreStricterThanASlidingLog in the test). Computed exactly in integers
// (multiplied through by W, 128-bit). 24 bytes of state per key.
#pragma once

#include <cstdint>

#include "01_rate_limiter_service_mini/algorithms/decision.hpp"
#include "01_rate_limiter_service_mini/algorithms/quota.hpp"
#include "core/base/clock.hpp"

namespace ratelimit {

struct SlidingWindow {
  struct State {
    std::int64_t window_start_ns = 0;  // start of the current window, a multiple of W
    std::int64_t current = 0;          // units admitted in the current window
    std::int64_t previous = 0;         // units admitted in the window before it
  };

  // A key never seen before: empty windows.
  static State Fresh(const Quota& quota, core::Clock::time_point now) noexcept;

  // Same contract as TokenBucket::Decide. The limit is quota.burst(), which for this algorithm the
  // rule sets equal to rate.count. reset_after is when both windows will have emptied;
  // retry_after is exact (the earliest instant the weighted estimate leaves room for cost). Pure.
  static Decision Decide(const Quota& quota, State& state, std::int64_t cost,
                         core::Clock::time_point now) noexcept;
};

}  // namespace ratelimit
