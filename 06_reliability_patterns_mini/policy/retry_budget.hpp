// A retry budget (Finagle's RetryBudget; Envoy's retry_budget; the SRE book's per-client retry
// ratio): retries and hedges may add at most `ratio` extra attempts per call over a sliding
// window, plus a floor of `min_per_second` so that a quiet client can still retry at all. When it
// is spent, the call fails fast with the error it had instead of retrying — and that refusal is
// counted. This is what stops a retry storm: with three attempts per call, an upstream at capacity
// sees up to 3× its load from naive retries; with a 20 % budget it sees at most 1.2× (plus the
// floor). resilience4j and Polly have no such thing (their issues #172 and #2348 ask for it).
#pragma once

#include <chrono>
#include <cstdint>

#include "06_reliability_patterns_mini/policy/windowed_counts.hpp"
#include "core/base/clock.hpp"
#include "core/base/mutex.hpp"

namespace reliability {

// Finagle's defaults (RetryBudget.apply(): ttl 10 s, minRetriesPerSec 10, percentCanRetry 0.2);
// Envoy's budget_percent defaults to the same 20 %.
struct RetryBudgetOptions {
  double ratio = 0.2;          // extra attempts per call, [0, 1]
  double min_per_second = 10;  // retries always allowed per second of window, >= 0
  core::Clock::duration window = std::chrono::seconds(10);  // >= 10 ms
};

struct RetryBudgetStats {
  std::uint64_t deposits = 0;   // calls seen
  std::uint64_t withdrawn = 0;  // retries and hedges allowed ("budget spent")
  std::uint64_t exhausted = 0;  // retries and hedges refused
};

// Thread-safe (one mutex; a call takes it once, a retry once more).
class RetryBudget {
 public:
  RetryBudget(const RetryBudgetOptions& options, core::Clock& clock);

  // A call arrived (at `now`, if the caller has read the clock already): it earns `ratio` of a
  // retry.
  void Deposit() noexcept { Deposit(clock_.Now()); }
  void Deposit(core::Clock::time_point now) noexcept;
  // A retry or hedge wants to go: true (and counted against the budget) if
  //   retries_in_window + 1 <= ratio * calls_in_window + min_per_second * window_seconds,
  // else false and `exhausted` counts it.
  bool TryWithdraw() noexcept;

  // Retries the window could still afford right now (may be fractional; never negative).
  double Balance() const noexcept;
  RetryBudgetStats Stats() const noexcept;
  const RetryBudgetOptions& options() const noexcept { return options_; }

 private:
  enum Field { kCalls, kRetries };
  // Milli-retries the window allows, given its counts (integer math: no drift).
  std::int64_t AllowanceMilliLocked(const WindowedCounts<2>::Counts& counts) const noexcept;

  const RetryBudgetOptions options_;
  core::Clock& clock_;
  std::int64_t ratio_milli_;    // ratio × 1000
  std::int64_t reserve_milli_;  // min_per_second × window seconds × 1000
  mutable core::Mutex mu_;
  mutable WindowedCounts<2> window_ SD_GUARDED_BY(mu_);
  RetryBudgetStats stats_ SD_GUARDED_BY(mu_);
};

}  // namespace reliability
