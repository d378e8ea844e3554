#include "01_rate_limiter_service_mini/algorithms/token_bucket.hpp"

#include <algorithm>

#include "01_rate_limiter_service_mini/algorithms/wide_math.hpp"

namespace ratelimit {

using std::chrono::nanoseconds;

TokenBucket::State TokenBucket::Fresh(const Quota& quota, core::Clock::time_point now) noexcept {
  return State{quota.burst() * quota.units_per_token(), internal::Nanos(now)};
}

Decision TokenBucket::Decide(const Quota& quota, State& state, std::int64_t cost,
                             core::Clock::time_point now) noexcept {
  const std::int64_t unit = quota.units_per_token();
  const std::int64_t per_ns = quota.units_per_ns();
  const std::int64_t capacity = quota.burst() * unit;
  const std::int64_t now_ns = internal::Nanos(now);

  // Refill. Clamp first: a rule reloaded with a smaller burst must not keep the old capacity.
  std::int64_t units = std::clamp<std::int64_t>(state.units, 0, capacity);
  const std::int64_t elapsed = std::max<std::int64_t>(0, now_ns - state.updated_ns);
  const std::int64_t deficit = capacity - units;
  // Compare elapsed against the time to fill instead of multiplying first: after a long idle
  // elapsed * per_ns would overflow.
  if (elapsed >= internal::CeilDiv(deficit, per_ns)) {
    units = capacity;
  } else {
    units += elapsed * per_ns;  // < deficit, cannot overflow
  }

  Decision d;
  d.limit = quota.burst();
  if (cost > quota.burst()) {
    d.remaining = units / unit;
    d.reset_after = nanoseconds(internal::CeilDiv(capacity - units, per_ns));
    d.retry_after = Decision::kNever;
    return d;
  }
  const std::int64_t need = cost * unit;
  if (units >= need) {
    units -= need;
    d.allowed = true;
    if (cost > 0) {
      // A clock that went backwards keeps the later timestamp, so that interval is not refilled
      // twice when the clock catches up.
      state = State{units, std::max(now_ns, state.updated_ns)};
    }
  } else {
    d.retry_after = nanoseconds(internal::CeilDiv(need - units, per_ns));
  }
  d.remaining = units / unit;
  d.reset_after = nanoseconds(internal::CeilDiv(capacity - units, per_ns));
  return d;
}

}  // namespace ratelimit
