#include "06_reliability_patterns_mini/policy/retry_budget.hpp"

#include <cmath>

namespace reliability {

// Ten slots: counts leave the window between 90 % and 100 % of it after they were made.
RetryBudget::RetryBudget(const RetryBudgetOptions& options, core::Clock& clock)
    : options_(options),
      clock_(clock),
      ratio_milli_(std::llround(options.ratio * 1000)),
      reserve_milli_(std::llround(options.min_per_second * 1000 *
                                  std::chrono::duration<double>(options.window).count())),
      window_(options.window, 10) {}

std::int64_t RetryBudget::AllowanceMilliLocked(
    const WindowedCounts<2>::Counts& counts) const noexcept {
  return ratio_milli_ * static_cast<std::int64_t>(counts[kCalls]) + reserve_milli_ -
         1000 * static_cast<std::int64_t>(counts[kRetries]);
}

void RetryBudget::Deposit(core::Clock::time_point now) noexcept {
  core::MutexLock lock(mu_);
  window_.Add(now, kCalls);
  ++stats_.deposits;
}

bool RetryBudget::TryWithdraw() noexcept {
  core::MutexLock lock(mu_);
  const auto now = clock_.Now();
  if (AllowanceMilliLocked(window_.Totals(now)) < 1000) {
    ++stats_.exhausted;
    return false;
  }
  window_.Add(now, kRetries);
  ++stats_.withdrawn;
  return true;
}

double RetryBudget::Balance() const noexcept {
  core::MutexLock lock(mu_);
  const std::int64_t milli = AllowanceMilliLocked(window_.Totals(clock_.Now()));
  return milli > 0 ? static_cast<double>(milli) / 1000.0 : 0.0;
}

RetryBudgetStats RetryBudget::Stats() const noexcept {
  core::MutexLock lock(mu_);
  return stats_;
}

}  // namespace reliability
