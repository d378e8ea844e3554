// Client-side adaptive throttling (Google SRE book, "Handling Overload"): each client remembers,
// over a window, how many requests it attempted and how many the upstream accepted, and rejects
// new ones locally with probability
//
//     max(0, (requests − K × accepts) / (requests + 1))
//
// While the upstream accepts everything nothing is rejected; once it refuses more than 1/K of
// what it gets, the client drops the excess itself, before it costs the upstream anything — a
// refusal at the upstream is not free (the book: a rejection can cost as much as a cheap answer).
// K = 2 lets through up to twice what the upstream accepts, so the client still notices when it
// recovers. Locally rejected requests count as requests, which is what makes the pressure fall
// back as soon as accepts return.
#pragma once

#include <chrono>
#include <cstdint>

#include "06_reliability_patterns_mini/policy/random.hpp"
#include "06_reliability_patterns_mini/policy/windowed_counts.hpp"
#include "core/base/clock.hpp"
#include "core/base/mutex.hpp"

namespace reliability {

// The SRE book's numbers: K = 2 and "two minutes of history". None of resilience4j, Polly v8 and
// Envoy have this policy (Envoy's admission_control filter is the closest relative).
struct ThrottleOptions {
  double k = 2.0;                                          // [1, 10]
  core::Clock::duration window = std::chrono::minutes(2);  // >= 1 s
};

struct ThrottleStats {
  std::uint64_t admitted = 0;
  std::uint64_t rejected = 0;  // dropped locally
};

// Thread-safe (one mutex).
class AdaptiveThrottle {
 public:
  AdaptiveThrottle(const ThrottleOptions& options, core::Clock& clock);

  // Counts a request and decides whether it may go: false with the probability above.
  bool Admit(Random& random);
  // The upstream accepted a request (it answered, even with a 4xx; not a 5xx, 429 or timeout).
  void RecordAccepted();
  // The rejection probability right now.
  double RejectProbability();
  ThrottleStats Stats() const;

 private:
  double ProbabilityLocked(core::Clock::time_point now) SD_REQUIRES(mu_);

  const ThrottleOptions options_;
  core::Clock& clock_;
  mutable core::Mutex mu_;
  WindowedCounts<2> window_ SD_GUARDED_BY(mu_);  // requests, accepts
  ThrottleStats stats_ SD_GUARDED_BY(mu_);
};

}  // namespace reliability
