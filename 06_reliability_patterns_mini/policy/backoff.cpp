#include "06_reliability_patterns_mini/policy/backoff.hpp"

#include <algorithm>
#include <cstdint>

namespace reliability {

std::string_view NameOf(BackoffKind kind) noexcept {
  return kind == BackoffKind::kConstant ? "constant" : "exponential";
}

std::string_view NameOf(Jitter jitter) noexcept {
  switch (jitter) {
    case Jitter::kNone:
      return "none";
    case Jitter::kFull:
      return "full";
    case Jitter::kEqual:
      return "equal";
    case Jitter::kDecorrelated:
      return "decorrelated";
  }
  return "none";
}

Duration Backoff::Ceiling(const BackoffOptions& options, int n) noexcept {
  const std::int64_t base = options.base.count();
  const std::int64_t cap = options.max.count();
  if (options.kind == BackoffKind::kConstant || n <= 0) return Duration(std::min(base, cap));
  // base * 2^n without overflow: once the doubling passes the cap, the cap is the answer.
  if (n >= 62 || base > (cap >> n)) return Duration(cap);
  return Duration(std::min(cap, base << n));
}

Duration Backoff::Next(Random& random) noexcept {
  const int n = retries_++;
  const std::int64_t cap = options_.max.count();
  switch (options_.jitter) {
    case Jitter::kNone:
      return Ceiling(options_, n);
    case Jitter::kFull:
      return Duration(random.Between(0, Ceiling(options_, n).count()));
    case Jitter::kEqual: {
      const std::int64_t t = Ceiling(options_, n).count();
      const std::int64_t half = t / 2;
      return Duration(t - half + random.Between(0, half));
    }
    case Jitter::kDecorrelated: {
      // The article's formula as written: draw up to 3 × previous, then clamp (so the cap carries
      // the mass above it). previous <= cap, and validation bounds the cap, so 3 × fits.
      const std::int64_t prev = previous_.count();
      const std::int64_t hi = prev > INT64_MAX / 3 ? INT64_MAX : prev * 3;
      const std::int64_t sleep = std::min(cap, random.Between(options_.base.count(), hi));
      previous_ = Duration(sleep);
      return previous_;
    }
  }
  return Ceiling(options_, n);
}

}  // namespace reliability
