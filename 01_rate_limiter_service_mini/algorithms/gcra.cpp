#include "01_rate_limiter_service_mini/algorithms/gcra.hpp"

#include <algorithm>

#include "01_rate_limiter_service_mini/algorithms/wide_math.hpp"

namespace ratelimit {

using std::chrono::nanoseconds;

Gcra::State Gcra::Fresh(const Quota& /*quota*/, core::Clock::time_point now) noexcept {
  return State{internal::Nanos(now)};
}

Decision Gcra::Decide(const Quota& quota, State& state, std::int64_t cost,
                      core::Clock::time_point now) noexcept {
  const std::int64_t interval = quota.emission_interval_ns();
  const std::int64_t tau = quota.burst() * interval;  // Quota::Make bounds this below 2^62
  const std::int64_t now_ns = internal::Nanos(now);
  // How far ahead of now the key is booked. A TAT more than tau ahead can only come from a rule
  // reloaded with a smaller burst; it simply drains.
  const std::int64_t booked = std::max<std::int64_t>(state.tat_ns, now_ns) - now_ns;

  Decision d;
  d.limit = quota.burst();
  if (cost > quota.burst()) {  // checked before cost * interval can overflow
    d.remaining = std::max<std::int64_t>(0, tau - booked) / interval;
    d.reset_after = nanoseconds(booked);
    d.retry_after = Decision::kNever;
    return d;
  }
  const std::int64_t new_booked = booked + cost * interval;
  if (new_booked <= tau) {
    d.allowed = true;
    if (cost > 0) state.tat_ns = now_ns + new_booked;
    d.remaining = (tau - new_booked) / interval;
    d.reset_after = nanoseconds(new_booked);
  } else {
    d.remaining = std::max<std::int64_t>(0, tau - booked) / interval;
    d.reset_after = nanoseconds(booked);
    d.retry_after = nanoseconds(new_booked - tau);
  }
  return d;
}

}  // namespace ratelimit
