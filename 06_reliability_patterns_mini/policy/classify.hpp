// What one attempt's result means to the policies: whether the call may retry it (the verdict),
// what it says about the upstream's health (the breaker and the throttle learn from that), and how
// long the upstream asked us to wait. Keeping these apart is the seed's missing "transient vs
// permanent" split: a 404 is final but the upstream is healthy; a 500 is final and the upstream is
// not; a 503 is worth another try and counts against the upstream; a 429 is worth another try after
// its Retry-After but says nothing about the upstream being broken.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "core/base/error.hpp"

namespace reliability {

enum class Verdict {
  kSuccess,    // a final answer the caller wanted
  kRetryable,  // a transient failure another attempt may fix
  kPermanent,  // a final answer (or failure) another attempt would only repeat
};

enum class Health {
  kSuccess,  // the upstream did its job (including refusing a bad request)
  kFailure,  // the upstream is unwell: 5xx, no connection, too slow
  kIgnored,  // says nothing either way (cancelled, rate-limited): not recorded, permit released
};

struct Classification {
  Verdict verdict = Verdict::kSuccess;
  Health health = Health::kSuccess;
  std::optional<std::chrono::nanoseconds> retry_after;  // the upstream's requested wait
  std::string_view label = "ok";  // static text for traces: ok, status, connect_error, timeout...
  int status = 0;                 // the HTTP status, when there was a response
};

std::string_view NameOf(Verdict verdict) noexcept;  // "success" | "retryable" | "permanent"
std::string_view NameOf(Health health) noexcept;    // "success" | "failure" | "ignored"

// How an HTTP attempt ended before any response, as the transport tells it.
enum class TransportFailure {
  kNone,       // a response arrived: see `status`
  kConnect,    // no connection (refused, unreachable, resolve failed): the request was never sent
  kTimeout,    // no complete answer in time: the upstream may have acted on the request
  kBroken,     // the connection failed after the request may have been sent
  kMalformed,  // the upstream answered with garbage or too much
  kCancelled,  // we gave up on it (hedge lost, caller went away)
};

struct HttpAttemptFacts {
  TransportFailure failure = TransportFailure::kNone;
  int status = 0;                // when failure == kNone
  std::string_view retry_after;  // the Retry-After header as received, may be empty
  // GET/HEAD/PUT/DELETE/OPTIONS, or the caller vouched the request is safe to repeat (for example
  // it carries an Idempotency-Key). Only a request that was never sent is retried without this.
  bool idempotent = true;
};

// The table (retryable only when idempotent, except connect errors, which always are):
//   2xx/3xx → success;  429 → retryable, honours Retry-After, health ignored;
//   502/503/504 → retryable (503 honours Retry-After), failure;  other 5xx → permanent, failure;
//   other 4xx → permanent, success;  connect → retryable, failure;  timeout/broken/malformed →
//   retryable, failure;  cancelled → permanent, ignored.
// `now` (wall clock) resolves an HTTP-date Retry-After.
Classification ClassifyHttp(const HttpAttemptFacts& facts,
                            std::chrono::system_clock::time_point now);

// A generic operation's error by its core::Code: kTimeout, kUnavailable and kBadGateway are
// transient failures (retried when idempotent), kRateLimited is retryable with health ignored,
// anything else is permanent with health ignored (a bug of ours says nothing about the upstream).
Classification ClassifyError(const core::Error& error, bool idempotent);

}  // namespace reliability
