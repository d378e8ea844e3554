// What a failed attempt (an HTTP nack) leads to: another try after an exponential backoff with
// jitter, or the dead-letter list once the attempts are used up.
//
// beanstalkd leaves this to every client (release with a delay it picks, or bury); here the server
// decides, so every worker retries alike and a poison job stops after max_attempts instead of
// looping forever. "Equal jitter" (half the backoff fixed, half random) keeps a floor under the
// delay and still spreads a burst of failures so the retries do not arrive together.
#pragma once

#include <chrono>
#include <cstdint>

namespace jobs {

struct RetryPolicy {
  std::uint32_t max_attempts = 5;                // reserves allowed before burying
  std::chrono::milliseconds base{1000};          // the first retry's backoff
  std::chrono::milliseconds max{5 * 60 * 1000};  // backoff cap
};

struct RetryDecision {
  bool bury = false;
  std::chrono::milliseconds delay{0};  // when !bury
};

// The decision after attempt number `attempts` (1 = the first reserve) failed. `random` is any
// uniformly distributed 64-bit value (the jitter). Pure: same inputs, same answer.
RetryDecision DecideRetry(const RetryPolicy& policy, std::uint32_t attempts,
                          std::uint64_t random) noexcept;

}  // namespace jobs
