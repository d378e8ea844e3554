// Hedged requests ("The Tail at Scale", Dean & Barroso, CACM 2013): if an attempt has not answered
// after a delay, send the same request again and take whichever answer comes first, cancelling
// the other. Waiting for the 95th-percentile latency before hedging bounds the extra load near 5 %
// while cutting the tail that slow replicas, GC pauses and queueing create. Every hedge counts
// against the retry budget, so hedging cannot become a load multiplier when the upstream is slow
// for everyone (then every attempt passes the p95 and the budget is what stops the doubling).
//
// LatencyTracker keeps the recent successful latencies and their percentile for the delay.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/base/clock.hpp"
#include "core/base/mutex.hpp"

namespace reliability {

// max_hedges and delay: Polly v8's HedgingStrategyOptions (MaxHedgedAttempts 1, Delay 2 s).
// percentile: "The Tail at Scale" (defer the hedge until the 95th-percentile expected latency);
// until `min_samples` latencies are known the fixed delay is used.
struct HedgeOptions {
  int max_hedges = 1;                                     // extra attempts per call, [1, 3]
  core::Clock::duration delay = std::chrono::seconds(2);  // fixed delay (and the fallback), > 0
  double percentile = 95;  // 0: always the fixed delay; else (0, 100)
  int min_samples = 100;   // latencies needed before the percentile is trusted
  int window = 1000;       // latencies kept (the most recent)
};

// Thread-safe. Record() is a lock plus a store; every window/10 records it recomputes the
// percentile with nth_element over a copy (amortised O(1) per record), and Delay() reads the
// cached value with one atomic load — the hot path never sorts.
class LatencyTracker {
 public:
  explicit LatencyTracker(const HedgeOptions& options);

  void Record(core::Clock::duration latency);
  // The hedge delay now: the cached percentile once min_samples are known, else options.delay.
  core::Clock::duration Delay() const noexcept;
  // The cached percentile, if computed yet.
  std::optional<core::Clock::duration> Percentile() const noexcept;
  std::uint64_t samples() const noexcept { return total_.load(std::memory_order_relaxed); }

 private:
  void RecomputeLocked() SD_REQUIRES(mu_);

  const HedgeOptions options_;
  core::Mutex mu_;
  std::vector<std::int64_t> ring_ SD_GUARDED_BY(mu_);     // nanoseconds
  std::vector<std::int64_t> scratch_ SD_GUARDED_BY(mu_);  // for nth_element
  std::size_t next_ SD_GUARDED_BY(mu_) = 0;
  std::size_t since_recompute_ SD_GUARDED_BY(mu_) = 0;
  std::atomic<std::uint64_t> total_{0};
  std::atomic<std::int64_t> cached_ns_{-1};  // -1: not computed yet
};

}  // namespace reliability
