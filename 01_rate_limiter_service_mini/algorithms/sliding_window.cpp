#include "01_rate_limiter_service_mini/algorithms/sliding_window.hpp"

#include <algorithm>

#include "01_rate_limiter_service_mini/algorithms/wide_math.hpp"

namespace ratelimit {

using internal::Int128;
using std::chrono::nanoseconds;

namespace {

std::int64_t WindowStart(std::int64_t now_ns, std::int64_t window) {
  const std::int64_t r = now_ns % window;
  return now_ns - (r < 0 ? r + window : r);  // floor, also for times before the epoch
}

}  // namespace

SlidingWindow::State SlidingWindow::Fresh(const Quota& quota,
                                          core::Clock::time_point now) noexcept {
  return State{WindowStart(internal::Nanos(now), quota.rate().period.count()), 0, 0};
}

Decision SlidingWindow::Decide(const Quota& quota, State& state, std::int64_t cost,
                               core::Clock::time_point now) noexcept {
  const std::int64_t w = quota.rate().period.count();
  const std::int64_t limit = quota.burst();
  // A clock that went backwards is treated as standing still at the stored window's start.
  const std::int64_t now_ns = std::max(internal::Nanos(now), state.window_start_ns);
  const std::int64_t start = WindowStart(now_ns, w);

  // Roll the windows forward to the one containing now.
  State s = state;
  if (start == s.window_start_ns + w) {
    s = State{start, 0, s.current};
  } else if (start != s.window_start_ns) {
    s = State{start, 0, 0};
  }
  const std::int64_t elapsed = now_ns - start;  // 0 <= elapsed < w
  // Everything below is multiplied through by w: weighted = estimate * w.
  const Int128 weighted = Int128{s.previous} * (w - elapsed) + Int128{s.current} * w;

  Decision d;
  d.limit = limit;
  if (cost > limit) {
    d.retry_after = Decision::kNever;
  } else if (weighted + Int128{cost} * w <= Int128{limit} * w) {
    d.allowed = true;
    if (cost > 0) {
      s.current += cost;
      state = s;
    }
  } else {
    const std::int64_t room_now = limit - cost - s.current;
    if (room_now >= 0) {
      // The previous window must decay: earliest e with previous*(w-e) <= room_now*w (previous > 0
      // here, otherwise the request would have fit).
      const auto keep = static_cast<std::int64_t>(Int128{room_now} * w / s.previous);
      d.retry_after = nanoseconds(w - keep - elapsed);
    } else {
      // Not before the next window, where current becomes the decaying previous.
      const auto keep = static_cast<std::int64_t>(Int128{limit - cost} * w / s.current);
      d.retry_after = nanoseconds((w - elapsed) + (w - keep));
    }
  }
  const Int128 used = Int128{s.previous} * (w - elapsed) + Int128{s.current} * w;
  const Int128 left = Int128{limit} * w - used;
  d.remaining = left <= 0 ? 0 : static_cast<std::int64_t>(left / w);
  if (s.current > 0) {
    d.reset_after = nanoseconds((w - elapsed) + w);
  } else if (s.previous > 0) {
    d.reset_after = nanoseconds(w - elapsed);
  }
  return d;
}

}  // namespace ratelimit
