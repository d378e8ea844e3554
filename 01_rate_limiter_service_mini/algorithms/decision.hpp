// What every rate-limit algorithm answers, and everything a caller needs to act on it: the verdict,
// the numbers for RateLimit/Retry-After headers, and when to come back.
//
// The shape follows redis-cell's CL.THROTTLE reply (limited, limit, remaining, retry_after,
// reset_after) so that a Redis-backed store can return the same struct as the local one. Times are
// std::chrono durations relative to the decision's `now`, never wall-clock timestamps.
#pragma once

#include <chrono>
#include <cstdint>

namespace ratelimit {

struct Decision {
  // "Can never succeed": the request costs more than the limit (the bucket can never hold that many
  // units), so no amount of waiting helps. redis-cell answers retry_after = -1 in this case too.
  static constexpr std::chrono::nanoseconds kNever{-1};

  // True when the request was admitted and its cost was consumed.
  bool allowed = false;
  // The most units that can ever be available at once (the burst / window limit).
  std::int64_t limit = 0;
  // Whole units available right after this decision (0..limit).
  std::int64_t remaining = 0;
  // Time until the key's state is fully recovered (bucket full, windows empty): after this the key
  // carries no information and a store may forget it.
  std::chrono::nanoseconds reset_after{0};
  // Zero when allowed. Otherwise the time until this same request (same cost) would be allowed if
  // nothing else happened, or kNever when cost > limit.
  std::chrono::nanoseconds retry_after{0};

  bool RetryNever() const noexcept { return retry_after == kNever; }
};

}  // namespace ratelimit
