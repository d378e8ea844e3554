#include "06_reliability_patterns_mini/policy/classify.hpp"

#include "06_reliability_patterns_mini/policy/retry_after.hpp"

namespace reliability {
namespace {

Classification Make(Verdict verdict, Health health, std::string_view label, int status = 0) {
  Classification c;
  c.verdict = verdict;
  c.health = health;
  c.label = label;
  c.status = status;
  return c;
}

// A transient failure is retried only if repeating the request is safe.
Verdict Transient(bool idempotent) {
  return idempotent ? Verdict::kRetryable : Verdict::kPermanent;
}

}  // namespace

std::string_view NameOf(Verdict verdict) noexcept {
  switch (verdict) {
    case Verdict::kSuccess:
      return "success";
    case Verdict::kRetryable:
      return "retryable";
    case Verdict::kPermanent:
      return "permanent";
  }
  return "permanent";
}

std::string_view NameOf(Health health) noexcept {
  switch (health) {
    case Health::kSuccess:
      return "success";
    case Health::kFailure:
      return "failure";
    case Health::kIgnored:
      return "ignored";
  }
  return "ignored";
}

Classification ClassifyHttp(const HttpAttemptFacts& f, std::chrono::system_clock::time_point now) {
  switch (f.failure) {
    case TransportFailure::kConnect:
      return Make(Verdict::kRetryable, Health::kFailure, "connect_error");
    case TransportFailure::kTimeout:
      return Make(Transient(f.idempotent), Health::kFailure, "timeout");
    case TransportFailure::kBroken:
      return Make(Transient(f.idempotent), Health::kFailure, "connection_error");
    case TransportFailure::kMalformed:
      return Make(Transient(f.idempotent), Health::kFailure, "bad_response");
    case TransportFailure::kCancelled:
      return Make(Verdict::kPermanent, Health::kIgnored, "cancelled");
    case TransportFailure::kNone:
      break;
  }
  const int s = f.status;
  if (s >= 200 && s < 400) return Make(Verdict::kSuccess, Health::kSuccess, "ok", s);
  Classification c;
  if (s == 429) {
    c = Make(Transient(f.idempotent), Health::kIgnored, "status", s);
  } else if (s == 502 || s == 503 || s == 504) {
    c = Make(Transient(f.idempotent), Health::kFailure, "status", s);
  } else if (s >= 500 || s < 100) {
    c = Make(Verdict::kPermanent, Health::kFailure, "status", s);
  } else {
    return Make(Verdict::kPermanent, Health::kSuccess, "status", s);  // 1xx/4xx: our request
  }
  if ((s == 429 || s == 503) && !f.retry_after.empty()) {
    if (auto wait = ParseRetryAfter(f.retry_after, now)) c.retry_after = *wait;
  }
  return c;
}

Classification ClassifyError(const core::Error& error, bool idempotent) {
  switch (error.code) {
    case core::Code::kTimeout:
      return Make(Transient(idempotent), Health::kFailure, "timeout");
    case core::Code::kUnavailable:
      return Make(Transient(idempotent), Health::kFailure, "unavailable");
    case core::Code::kBadGateway:
      return Make(Transient(idempotent), Health::kFailure, "bad_response");
    case core::Code::kRateLimited:
      return Make(Transient(idempotent), Health::kIgnored, "rate_limited");
    default:
      return Make(Verdict::kPermanent, Health::kIgnored, "error");
  }
}

}  // namespace reliability
