#include "06_reliability_patterns_mini/policy/adaptive_throttle.hpp"

#include <algorithm>

namespace reliability {

// Twenty slots: a two-minute window moves in six-second steps.
AdaptiveThrottle::AdaptiveThrottle(const ThrottleOptions& options, core::Clock& clock)
    : options_(options), clock_(clock), window_(options.window, 20) {}

double AdaptiveThrottle::ProbabilityLocked(core::Clock::time_point now) {
  const auto& t = window_.Totals(now);
  const auto requests = static_cast<double>(t[0]);
  const auto accepts = static_cast<double>(t[1]);
  return std::max(0.0, (requests - options_.k * accepts) / (requests + 1));
}

bool AdaptiveThrottle::Admit(Random& random) {
  core::MutexLock lock(mu_);
  const auto now = clock_.Now();
  const double p = ProbabilityLocked(now);
  window_.Add(now, 0);
  // Draw only when there is something to decide: the healthy path costs no random number.
  if (p > 0 && random.Uniform01() < p) {
    ++stats_.rejected;
    return false;
  }
  ++stats_.admitted;
  return true;
}

void AdaptiveThrottle::RecordAccepted() {
  core::MutexLock lock(mu_);
  window_.Add(clock_.Now(), 1);
}

double AdaptiveThrottle::RejectProbability() {
  core::MutexLock lock(mu_);
  return ProbabilityLocked(clock_.Now());
}

ThrottleStats AdaptiveThrottle::Stats() const {
  core::MutexLock lock(mu_);
  return stats_;
}

}  // namespace reliability
