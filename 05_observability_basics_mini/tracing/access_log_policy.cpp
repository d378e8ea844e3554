#include "05_observability_basics_mini/tracing/access_log_policy.hpp"

#include <algorithm>
#include <cmath>

namespace obs {

AccessLogPolicy::AccessLogPolicy(AccessLogPolicyOptions options) noexcept
    : all_(options.sample_rate >= 1.0),
      slow_(std::max(options.slow, std::chrono::nanoseconds::zero())) {
  // Rate 1 is a flag, not a threshold: 2^64 does not fit in a uint64. `!(rate > 0)` also
  // catches NaN. Otherwise rate·2^64 is exact (a power-of-two scale) and below 2^64 — even for
  // the largest double below 1, 2^64 - 2^11 — so the cast cannot overflow; it truncates, which
  // under-samples by less than 2^-64.
  if (!all_ && options.sample_rate > 0.0) {
    threshold_ = static_cast<std::uint64_t>(std::ldexp(options.sample_rate, 64));
  }
}

bool AccessLogPolicy::ShouldLog(int status, std::chrono::nanoseconds elapsed,
                                std::uint64_t key) const noexcept {
  if (all_ || status >= 500) return true;
  if (slow_.count() > 0 && elapsed >= slow_) return true;
  return key < threshold_;
}

std::uint64_t SampleKey(const TraceId& trace_id) noexcept {
  std::uint64_t key = 0;
  for (std::size_t i = trace_id.size() - 8; i < trace_id.size(); ++i) {
    key = (key << 8) | trace_id[i];
  }
  return key;
}

}  // namespace obs
