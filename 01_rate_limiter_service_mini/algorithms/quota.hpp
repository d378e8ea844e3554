// A rate ("2/s", "100/m") plus a burst, validated once at configuration time and turned into the
// integer constants the algorithms need, so no request ever divides by zero or overflows.
//
// Design: everything is integer nanoseconds. The token bucket keeps tokens in fixed point — one
// token is `units_per_token()` units and `units_per_ns()` units arrive per nanosecond, the rate
// reduced by gcd(count, period) — so refill is exact however long the key idles. GCRA rounds its
// emission interval up to a whole nanosecond (never admits more than the rate).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/error.hpp"

namespace ratelimit {

// `count` units per `period`.
struct Rate {
  std::int64_t count = 0;
  std::chrono::nanoseconds period{0};

  friend bool operator==(const Rate&, const Rate&) = default;
};

// Parses "<count>/<period>" where period is [<n>]<unit>, unit one of ms s m h d: "2/s", "100/m",
// "10/30s", "5/500ms". Errors (kInvalidArgument, detail says why): malformed text, count < 1
// (a rate of 0 would block everything: say so with a rule that is not there), period < 1 ms or
// > 366 days, or more than 1,000,000 units per second (per key; far beyond any real client).
core::Result<Rate> ParseRate(std::string_view text);

// Canonical text for a rate, the inverse of ParseRate: "2/s", "100/m", "10/30s".
std::string FormatRate(const Rate& rate);

// A validated rate + burst. Immutable and cheap to copy; build with Make(). A default-constructed
// Quota is valid: 1/s, burst 1.
class Quota {
 public:
  Quota() = default;

  // Errors (kInvalidArgument): rate invalid as for ParseRate; burst < 1 or > 10^15; the time to
  // refill a full burst over 100 years; fixed-point token capacity over 2^62 units.
  static core::Result<Quota> Make(Rate rate, std::int64_t burst);

  const Rate& rate() const noexcept { return rate_; }
  // Bucket capacity / window limit: the most units ever available at once.
  std::int64_t burst() const noexcept { return burst_; }

  // Token bucket fixed point: a token is this many units ...
  std::int64_t units_per_token() const noexcept { return units_per_token_; }
  // ... and this many units refill per nanosecond (exact: rate = units_per_ns / units_per_token).
  std::int64_t units_per_ns() const noexcept { return units_per_ns_; }
  // GCRA: nanoseconds per unit, period / count rounded up.
  std::int64_t emission_interval_ns() const noexcept { return emission_interval_ns_; }
  // Time to refill an empty bucket: ceil(burst * period / count).
  std::chrono::nanoseconds fill_time() const noexcept { return fill_time_; }

 private:
  Rate rate_{1, std::chrono::seconds(1)};
  std::int64_t burst_ = 1;
  std::int64_t units_per_token_ = 1'000'000'000;
  std::int64_t units_per_ns_ = 1;
  std::int64_t emission_interval_ns_ = 1'000'000'000;
  std::chrono::nanoseconds fill_time_{std::chrono::seconds(1)};
};

}  // namespace ratelimit
