// What happened during one call, attempt by attempt: the JSON trace sd-reliability's /call returns
// and what a test asserts. Cheap to fill (a small vector of plain records; labels are static text).
#pragma once

#include <string_view>
#include <vector>

#include "06_reliability_patterns_mini/policy/circuit_breaker.hpp"
#include "06_reliability_patterns_mini/policy/classify.hpp"
#include "core/base/clock.hpp"

namespace reliability {

// The policy that refused the call before an answer was had (kNone: the result is an attempt's).
enum class Refusal {
  kNone,
  kBulkheadFull,     // no slot and no room in the queue
  kBulkheadTimeout,  // waited in the queue too long
  kBreakerOpen,      // the first attempt was not permitted
  kThrottled,        // adaptive throttling dropped the first attempt locally
  kDeadline,         // the call's deadline passed
  kCancelled,        // the caller cancelled
};
std::string_view NameOf(Refusal refusal) noexcept;  // "none", "bulkhead_full", ...

struct AttemptRecord {
  int number = 0;      // 1-based, in start order
  bool hedge = false;  // started by the hedging policy while another attempt was running
  core::Clock::duration offset{};    // from the start of the call
  core::Clock::duration duration{};  // until its outcome was known (or it was given up on)
  std::string_view outcome;          // the classifier's label, "timeout" or "cancelled"
  int status = 0;                    // HTTP status, when there was one
  Verdict verdict = Verdict::kPermanent;
  BreakerState breaker = BreakerState::kClosed;  // the breaker's state when the attempt started
  bool won = false;                              // its result is the call's result
};

struct CallTrace {
  std::vector<AttemptRecord> attempts;
  Refusal refusal = Refusal::kNone;
  // Why no further attempt was made: "success", "permanent", "max_attempts", "budget",
  // "deadline", "breaker_open", "throttled", "retry_after", or the refusal's name.
  std::string_view ended_by;
  core::Clock::duration total{};   // the whole call
  core::Clock::duration queued{};  // waiting for a bulkhead slot
  int retries = 0;
  int hedges = 0;
};

}  // namespace reliability
