#include "06_reliability_patterns_mini/policy/hedging.hpp"

#include <algorithm>
#include <cmath>

namespace reliability {

LatencyTracker::LatencyTracker(const HedgeOptions& options) : options_(options) {
  ring_.reserve(static_cast<std::size_t>(std::max(1, options.window)));
}

void LatencyTracker::Record(core::Clock::duration latency) {
  if (options_.percentile <= 0) return;  // fixed delay: nothing to learn
  core::MutexLock lock(mu_);
  const auto cap = static_cast<std::size_t>(std::max(1, options_.window));
  if (ring_.size() < cap) {
    ring_.push_back(latency.count());
  } else {
    ring_[next_] = latency.count();
  }
  next_ = (next_ + 1) % cap;
  const std::uint64_t n = total_.fetch_add(1, std::memory_order_relaxed) + 1;
  // Recompute often while the first min_samples arrive, then every window/10 records.
  const std::size_t every = std::max<std::size_t>(1, cap / 10);
  if (n == static_cast<std::uint64_t>(options_.min_samples) || ++since_recompute_ >= every) {
    RecomputeLocked();
  }
}

void LatencyTracker::RecomputeLocked() {
  since_recompute_ = 0;
  if (ring_.size() < static_cast<std::size_t>(std::max(1, options_.min_samples))) return;
  scratch_.assign(ring_.begin(), ring_.end());
  // Nearest-rank percentile: the smallest value with at least p % of the samples at or below it.
  const double rank = std::ceil(options_.percentile / 100.0 * static_cast<double>(scratch_.size()));
  const std::size_t k =
      std::min(scratch_.size() - 1, static_cast<std::size_t>(std::max(1.0, rank)) - 1);
  std::nth_element(scratch_.begin(), scratch_.begin() + static_cast<std::ptrdiff_t>(k),
                   scratch_.end());
  cached_ns_.store(scratch_[k], std::memory_order_relaxed);
}

std::optional<core::Clock::duration> LatencyTracker::Percentile() const noexcept {
  const std::int64_t ns = cached_ns_.load(std::memory_order_relaxed);
  if (ns < 0) return std::nullopt;
  return core::Clock::duration(ns);
}

core::Clock::duration LatencyTracker::Delay() const noexcept {
  if (options_.percentile <= 0) return options_.delay;
  auto p = Percentile();
  return p ? *p : options_.delay;
}

}  // namespace reliability
