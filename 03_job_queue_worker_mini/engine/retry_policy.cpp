#include "03_job_queue_worker_mini/engine/retry_policy.hpp"

#include <algorithm>

namespace jobs {

RetryDecision DecideRetry(const RetryPolicy& policy, std::uint32_t attempts,
                          std::uint64_t random) noexcept {
  RetryDecision d;
  if (attempts >= policy.max_attempts) {
    d.bury = true;
    return d;
  }
  // base * 2^(attempts-1), capped; the shift is bounded so it cannot overflow.
  const std::uint32_t doublings = std::min<std::uint32_t>(attempts == 0 ? 0 : attempts - 1, 30);
  const std::int64_t base = std::max<std::int64_t>(0, policy.base.count());
  const std::int64_t cap = std::max<std::int64_t>(0, policy.max.count());
  const std::int64_t backoff = base > (cap >> doublings) ? cap : std::min(cap, base << doublings);
  const std::int64_t half = backoff / 2;
  const std::int64_t spread = backoff - half;  // [0, spread] added to the fixed half
  d.delay = std::chrono::milliseconds(
      half + (spread == 0
                  ? 0
                  : static_cast<std::int64_t>(random % static_cast<std::uint64_t>(spread + 1))));
  return d;
}

}  // namespace jobs
