// How long to wait before the next retry: constant or exponential with a cap, and the four jitter
// variants of the AWS Architecture Blog's "Exponential Backoff and Jitter" (Marc Brooker, 2015):
//
//   none          sleep = min(cap, base * 2^n)
//   full          sleep = random(0, min(cap, base * 2^n))
//   equal         t = min(cap, base * 2^n); sleep = t/2 + random(0, t/2)
//   decorrelated  sleep = min(cap, random(base, previous_sleep * 3))   (previous starts at base)
//
// n counts retries from 0. Without jitter, clients that failed together retry together, and the
// load they were shed for arrives again as one spike; full jitter spreads them over the whole
// interval and, in the article's contention experiment, does the least total work.
#pragma once

#include <chrono>
#include <string_view>

#include "06_reliability_patterns_mini/policy/random.hpp"

namespace reliability {

using Duration = std::chrono::nanoseconds;

enum class BackoffKind { kConstant, kExponential };
enum class Jitter { kNone, kFull, kEqual, kDecorrelated };

std::string_view NameOf(BackoffKind kind) noexcept;  // "constant" | "exponential"
std::string_view NameOf(Jitter jitter) noexcept;     // "none" | "full" | "equal" | "decorrelated"

// Defaults are Envoy's retry back-off (config.route.v3.RetryPolicy.RetryBackOff): exponential from
// 25 ms, capped at 10 × base = 250 ms, full jitter. Polly v8's 2 s constant and resilience4j's
// 500 ms fit a user-facing job, not an RPC whose caller waits; Envoy's are tuned for the latter.
struct BackoffOptions {
  BackoffKind kind = BackoffKind::kExponential;   // constant: every wait is `base` (then jittered)
  Duration base = std::chrono::milliseconds(25);  // the first wait, before jitter; > 0
  Duration max = std::chrono::milliseconds(250);  // the cap; >= base
  // Decorrelated jitter grows by itself (×3 of the previous wait), so it ignores `kind`.
  Jitter jitter = Jitter::kFull;
};

// The waits of one call's retries, in order. Not thread-safe (one per call); cheap to construct.
class Backoff {
 public:
  explicit Backoff(const BackoffOptions& options) noexcept
      : options_(options), previous_(options.base) {}

  // The wait before the next retry (the first call gives the wait before retry 1). Always in
  // [0, max]; for decorrelated jitter in [base, max] as long as base <= max.
  Duration Next(Random& random) noexcept;

  // The un-jittered wait before retry `n` (0-based): min(max, base * 2^n), or base if constant.
  static Duration Ceiling(const BackoffOptions& options, int n) noexcept;

 private:
  BackoffOptions options_;
  int retries_ = 0;
  Duration previous_;  // decorrelated jitter's memory
};

}  // namespace reliability
