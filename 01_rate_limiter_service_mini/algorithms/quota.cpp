#include "01_rate_limiter_service_mini/algorithms/quota.hpp"

#include <charconv>
#include <numeric>

#include "01_rate_limiter_service_mini/algorithms/wide_math.hpp"

namespace ratelimit {
namespace {

using std::chrono::nanoseconds;
constexpr std::int64_t kMaxCount = 1'000'000'000'000'000;  // 1e15: counts, bursts
constexpr nanoseconds kMinPeriod = std::chrono::milliseconds(1);
constexpr nanoseconds kMaxPeriod = std::chrono::hours(24 * 366);
// 100 years in ns (3.2e18) still leaves headroom below 2^63 for sums of two such values.
constexpr std::int64_t kMaxFillNs = std::int64_t{100} * 366 * 24 * 3600 * 1'000'000'000;
constexpr std::int64_t kMaxUnits = std::int64_t{1} << 62;

core::Error Invalid(std::string detail) {
  return core::Error(core::Code::kInvalidArgument, std::move(detail));
}

bool ParseCount(std::string_view s, std::int64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  std::from_chars(s.data(), s.data() + s.size(), out);
  return true;
}

core::Result<void> ValidateRate(const Rate& rate) {
  if (rate.count < 1)
    return Invalid("rate count must be >= 1 (a rate of 0 would block everything)");
  if (rate.count > kMaxCount) return Invalid("rate count must be <= 10^15");
  if (rate.period < kMinPeriod || rate.period > kMaxPeriod) {
    return Invalid("rate period must be between 1ms and 366d");
  }
  // At most 1e6 units per second per key: count / period <= 1e6/1e9 ns.
  if (rate.count * 1000 > rate.period.count()) {
    return Invalid("rate must be <= 1000000 per second");
  }
  return {};
}

struct Unit {
  std::string_view name;
  nanoseconds length;
};
// Longest first, so FormatRate picks the largest whole unit (parsing matches names exactly).
constexpr Unit kUnits[] = {
    {"d", std::chrono::hours(24)},        {"h", std::chrono::hours(1)},
    {"m", std::chrono::minutes(1)},       {"s", std::chrono::seconds(1)},
    {"ms", std::chrono::milliseconds(1)},
};

}  // namespace

core::Result<Rate> ParseRate(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) {
    return Invalid("rate '" + std::string(text) + "' must look like 2/s, 100/m or 10/30s");
  }
  Rate rate;
  if (!ParseCount(text.substr(0, slash), rate.count)) {
    return Invalid("rate '" + std::string(text) + "': count must be a non-negative integer");
  }
  std::string_view period = text.substr(slash + 1);
  std::size_t digits = 0;
  while (digits < period.size() && period[digits] >= '0' && period[digits] <= '9') ++digits;
  std::int64_t multiplier = 1;
  if (digits > 0 && (!ParseCount(period.substr(0, digits), multiplier) || multiplier < 1 ||
                     multiplier > 1'000'000'000)) {
    return Invalid("rate '" + std::string(text) + "': period multiplier must be 1..1e9");
  }
  const std::string_view unit_name = period.substr(digits);
  const Unit* unit = nullptr;
  for (const Unit& u : kUnits) {
    if (u.name == unit_name) unit = &u;
  }
  if (unit == nullptr) {
    return Invalid("rate '" + std::string(text) + "': unit must be one of ms, s, m, h, d");
  }
  // multiplier <= 1e9 and unit <= 1 day (8.64e13 ns) could overflow, so compare before multiplying.
  if (multiplier > kMaxPeriod / unit->length) {
    return Invalid("rate '" + std::string(text) + "': period must be between 1ms and 366d");
  }
  rate.period = unit->length * multiplier;
  if (auto ok = ValidateRate(rate); !ok) {
    return Invalid("rate '" + std::string(text) + "': " + ok.error().detail);
  }
  return rate;
}

std::string FormatRate(const Rate& rate) {
  for (const Unit& u : kUnits) {
    if (rate.period % u.length == nanoseconds(0)) {
      const std::int64_t n = rate.period / u.length;
      return std::to_string(rate.count) + "/" + (n == 1 ? "" : std::to_string(n)) +
             std::string(u.name);
    }
  }
  return std::to_string(rate.count) + "/" + std::to_string(rate.period.count()) + "ns";
}

core::Result<Quota> Quota::Make(Rate rate, std::int64_t burst) {
  if (auto ok = ValidateRate(rate); !ok) return ok.error();
  if (burst < 1 || burst > kMaxCount) return Invalid("burst must be between 1 and 10^15");
  const std::int64_t period_ns = rate.period.count();
  const std::int64_t g = std::gcd(rate.count, period_ns);
  const internal::Int128 fill =
      internal::CeilDiv(internal::Int128{burst} * period_ns, internal::Int128{rate.count});
  if (fill > kMaxFillNs)
    return Invalid("burst / rate: refilling a full burst takes over 100 years");
  const internal::Int128 capacity = internal::Int128{burst} * (period_ns / g);
  if (capacity > kMaxUnits) return Invalid("burst / rate: too large for exact token arithmetic");

  Quota q;
  q.rate_ = rate;
  q.burst_ = burst;
  q.units_per_token_ = period_ns / g;
  q.units_per_ns_ = rate.count / g;
  q.emission_interval_ns_ = internal::CeilDiv(period_ns, rate.count);
  q.fill_time_ = nanoseconds(static_cast<std::int64_t>(fill));
  return q;
}

}  // namespace ratelimit
