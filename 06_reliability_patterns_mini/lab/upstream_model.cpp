#include "06_reliability_patterns_mini/lab/upstream_model.hpp"

#include <boost/json/parse.hpp>
#include <cmath>

#include "06_reliability_patterns_mini/policy/json_fields.hpp"

namespace reliability::lab {
namespace {

using namespace json_fields;  // NOLINT: the reader vocabulary of this file
using Ms = std::chrono::duration<double, std::milli>;

// Standard normal quantile at 0.99.
constexpr double kZ99 = 2.3263478740408408;

Duration Clamp(double ns) {
  if (!(ns > 0)) return Duration::zero();
  if (ns >= static_cast<double>(kMaxLatency.count())) return kMaxLatency;
  return Duration(static_cast<Duration::rep>(ns));
}

// A standard normal draw (Box–Muller; one of the pair is enough here).
double Normal(Random& random) {
  const double u1 = 1.0 - random.Uniform01();  // (0, 1]
  const double u2 = random.Uniform01();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

core::Result<void> ReadLatency(const json::value& v, const std::string& where, LatencyModel& m) {
  if (!v.is_object()) return Invalid(where + ": must be an object");
  m = LatencyModel{};
  if (const auto* kind = v.get_object().if_contains("kind")) {
    auto set = SetEnum<LatencyKind>(m.kind, {{"fixed", LatencyKind::kFixed},
                                             {"uniform", LatencyKind::kUniform},
                                             {"lognormal", LatencyKind::kLognormal},
                                             {"bimodal", LatencyKind::kBimodal}});
    if (auto ok = set(*kind, where + ".kind"); !ok) return ok.error();
  }
  Setter ignore = [](const json::value&, const std::string&) -> core::Result<void> { return {}; };
  core::Result<void> ok;
  switch (m.kind) {
    case LatencyKind::kFixed:
      ok = ReadObject(v, where, {{"kind", ignore}, {"ms", Set(m.ms, Millis)}});
      break;
    case LatencyKind::kUniform:
      ok = ReadObject(
          v, where,
          {{"kind", ignore}, {"min_ms", Set(m.ms, Millis)}, {"max_ms", Set(m.max, Millis)}});
      if (ok && m.max < m.ms) return Invalid(where + ".max_ms: must be >= min_ms");
      break;
    case LatencyKind::kLognormal:
      ok = ReadObject(
          v, where,
          {{"kind", ignore}, {"median_ms", Set(m.ms, Millis)}, {"p99_ms", Set(m.p99, Millis)}});
      if (ok && m.p99 < m.ms) return Invalid(where + ".p99_ms: must be >= median_ms");
      if (ok && m.ms.count() == 0) return Invalid(where + ".median_ms: must be > 0");
      break;
    case LatencyKind::kBimodal:
      ok = ReadObject(v, where,
                      {{"kind", ignore},
                       {"ms", Set(m.ms, Millis)},
                       {"slow_fraction", Set(m.slow_fraction, Number)},
                       {"slow_factor", Set(m.slow_factor, Number)}});
      if (ok && !(m.slow_fraction >= 0 && m.slow_fraction <= 1)) {
        return Invalid(where + ".slow_fraction: must be in [0, 1]");
      }
      if (ok && !(m.slow_factor >= 1 && m.slow_factor <= 1000)) {
        return Invalid(where + ".slow_factor: must be in [1, 1000]");
      }
      break;
  }
  if (!ok) return ok.error();
  for (const auto& [d, name] : {std::pair{m.ms, "ms"}, {m.max, "max_ms"}, {m.p99, "p99_ms"}}) {
    if (d > kMaxLatency) return Invalid(where + "." + name + ": at most 60000 ms");
  }
  return {};
}

}  // namespace

std::string_view NameOf(LatencyKind kind) noexcept {
  switch (kind) {
    case LatencyKind::kFixed:
      return "fixed";
    case LatencyKind::kUniform:
      return "uniform";
    case LatencyKind::kLognormal:
      return "lognormal";
    case LatencyKind::kBimodal:
      return "bimodal";
  }
  return "fixed";
}

core::Result<UpstreamBehavior> ParseBehavior(std::string_view json_text,
                                             core::Clock::time_point now) {
  boost::system::error_code ec;
  json::parse_options limits;
  limits.max_depth = 8;
  const json::value root = json::parse(json_text, ec, {}, limits);
  if (ec) return Invalid("behavior: invalid JSON: " + ec.message());
  UpstreamBehavior b;
  std::optional<Duration> down_for;
  int retry_after_s = -1;
  auto ok =
      ReadObject(root, "behavior",
                 {{"error_rate", Set(b.error_rate, Number)},
                  {"error_status", Set(b.error_status, Integer)},
                  {"retry_after_s", Set(retry_after_s, Integer)},
                  {"capacity", Set(b.capacity, Integer)},
                  {"down_for_ms",
                   [&down_for](const json::value& v, const std::string& f) -> core::Result<void> {
                     auto d = Millis(v, f);
                     if (!d) return d.error();
                     down_for = *d;
                     return {};
                   }},
                  {"latency", [&b](const json::value& v, const std::string& f) {
                     return ReadLatency(v, f, b.latency);
                   }}});
  if (!ok) return ok.error();
  if (!(b.error_rate >= 0 && b.error_rate <= 1)) {
    return Invalid("behavior.error_rate: must be in [0, 1]");
  }
  if (b.error_status < 400 || b.error_status > 599) {
    return Invalid("behavior.error_status: must be in [400, 599]");
  }
  if (b.capacity < 0 || b.capacity > kMaxCapacity) {
    return Invalid("behavior.capacity: must be in [0, 1000000] (0 = unlimited)");
  }
  if (retry_after_s > 3600) return Invalid("behavior.retry_after_s: must be in [0, 3600]");
  if (retry_after_s >= 0) b.retry_after = std::chrono::seconds(retry_after_s);
  if (down_for && down_for->count() > 0) b.down_until = now + *down_for;
  return b;
}

std::string BehaviorToJson(const UpstreamBehavior& b, core::Clock::time_point now) {
  JsonWriter w;
  w.Num("error_rate", b.error_rate).Num("error_status", b.error_status);
  if (b.retry_after) w.Num("retry_after_s", static_cast<double>(b.retry_after->count()));
  w.Num("capacity", b.capacity);
  const Duration left = b.down_until && *b.down_until > now ? *b.down_until - now : Duration{};
  w.Num("down_for_ms", Ms(left).count());
  const LatencyModel& m = b.latency;
  w.Open("latency").Str("kind", NameOf(m.kind));
  switch (m.kind) {
    case LatencyKind::kFixed:
      w.Num("ms", Ms(m.ms).count());
      break;
    case LatencyKind::kUniform:
      w.Num("min_ms", Ms(m.ms).count()).Num("max_ms", Ms(m.max).count());
      break;
    case LatencyKind::kLognormal:
      w.Num("median_ms", Ms(m.ms).count()).Num("p99_ms", Ms(m.p99).count());
      break;
    case LatencyKind::kBimodal:
      w.Num("ms", Ms(m.ms).count())
          .Num("slow_fraction", m.slow_fraction)
          .Num("slow_factor", m.slow_factor);
      break;
  }
  w.Close();
  return w.Finish();
}

UpstreamModel::UpstreamModel(UpstreamBehavior behavior, std::uint64_t seed, core::Clock& clock)
    : clock_(clock), behavior_(behavior), random_(seed) {}

Duration UpstreamModel::DrawLatency(const LatencyModel& m, Random& random) {
  const auto base = static_cast<double>(m.ms.count());
  switch (m.kind) {
    case LatencyKind::kFixed:
      return Clamp(base);
    case LatencyKind::kUniform:
      return Duration(random.Between(m.ms.count(), m.max.count()));
    case LatencyKind::kLognormal: {
      // Median m and p99 q: sigma = ln(q / m) / z(0.99).
      const double sigma =
          base > 0 ? std::log(static_cast<double>(m.p99.count()) / base) / kZ99 : 0;
      return Clamp(base * std::exp(sigma * Normal(random)));
    }
    case LatencyKind::kBimodal:
      return Clamp(random.Uniform01() < m.slow_fraction ? base * m.slow_factor : base);
  }
  return Clamp(base);
}

Reply UpstreamModel::Begin() {
  core::MutexLock lock(mu_);
  ++stats_.requests;
  ++stats_.in_flight;
  stats_.max_in_flight = std::max(stats_.max_in_flight, stats_.in_flight);
  Reply r;
  if (behavior_.down_until && clock_.Now() < *behavior_.down_until) {
    r.status = behavior_.error_status;
    r.outage = true;
    r.retry_after = behavior_.retry_after;
    ++stats_.errors;
    return r;  // a dead upstream answers at once
  }
  r.latency = DrawLatency(behavior_.latency, random_);
  // Processor sharing: beyond capacity, everyone in flight gets a proportional share.
  if (behavior_.capacity > 0 && stats_.in_flight > behavior_.capacity) {
    r.latency = Clamp(static_cast<double>(r.latency.count()) *
                      static_cast<double>(stats_.in_flight) / behavior_.capacity);
  }
  if (behavior_.error_rate > 0 && random_.Uniform01() < behavior_.error_rate) {
    r.status = behavior_.error_status;
    r.retry_after = behavior_.retry_after;
    ++stats_.errors;
  }
  return r;
}

void UpstreamModel::Finish() {
  core::MutexLock lock(mu_);
  if (stats_.in_flight > 0) --stats_.in_flight;
}

void UpstreamModel::Set(UpstreamBehavior behavior) {
  core::MutexLock lock(mu_);
  behavior_ = behavior;
}

UpstreamBehavior UpstreamModel::behavior() const {
  core::MutexLock lock(mu_);
  return behavior_;
}

UpstreamStats UpstreamModel::Stats() const {
  core::MutexLock lock(mu_);
  return stats_;
}

}  // namespace reliability::lab
