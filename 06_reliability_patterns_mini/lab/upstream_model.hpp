// The lab's simulated upstream: how long it takes and what it answers, drawn per request from a
// behaviour that can be changed at run time (PUT /v1/upstreams/{name}) — an error rate and status,
// a latency distribution (fixed, uniform, log-normal with a given p99, or bimodal: "5 % of calls
// 20× slower"), an outage ("down for 10 s"), and a capacity beyond which every request slows down
// in proportion to the load (processor sharing), which is what lets retries overload it.
//
// Domain code: no I/O. The HTTP handler sleeps the drawn latency; the virtual-time experiments feed
// the same draws to fake timers. Deterministic for a given seed and request order.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "06_reliability_patterns_mini/policy/random.hpp"
#include "core/base/clock.hpp"
#include "core/base/error.hpp"
#include "core/base/mutex.hpp"

namespace reliability::lab {

using Duration = core::Clock::duration;

enum class LatencyKind { kFixed, kUniform, kLognormal, kBimodal };
std::string_view NameOf(LatencyKind kind) noexcept;  // fixed, uniform, lognormal, bimodal

struct LatencyModel {
  LatencyKind kind = LatencyKind::kFixed;
  Duration ms = std::chrono::milliseconds(1);   // fixed: the value; uniform: min; lognormal:
                                                // the median; bimodal: the fast mode
  Duration max = std::chrono::milliseconds(1);  // uniform: max
  Duration p99 = std::chrono::milliseconds(1);  // lognormal: the 99th percentile (>= ms)
  double slow_fraction = 0.05;                  // bimodal: share of slow calls
  double slow_factor = 20;                      // bimodal: how much slower they are
};

struct UpstreamBehavior {
  double error_rate = 0;   // share of requests answered with error_status, [0, 1]
  int error_status = 503;  // [400, 599]
  std::optional<std::chrono::seconds> retry_after;  // sent with 429/503 errors when set
  LatencyModel latency;
  int capacity = 0;  // requests served at full speed at once; 0 = unlimited
  // An outage: until `down_until`, every request fails with error_status at once.
  std::optional<core::Clock::time_point> down_until;
};

// Limits for bad input: no draw sleeps longer than this, no behaviour asks for more.
inline constexpr Duration kMaxLatency = std::chrono::seconds(60);
inline constexpr Duration kMaxOutage = std::chrono::hours(1);
inline constexpr int kMaxCapacity = 1'000'000;

// Reads the JSON of PUT /v1/upstreams/{name}:
//   {"error_rate": 0.3, "error_status": 503, "retry_after_s": 1, "capacity": 50,
//    "down_for_ms": 10000,
//    "latency": {"kind": "fixed", "ms": 5}
//             | {"kind": "uniform", "min_ms": 1, "max_ms": 10}
//             | {"kind": "lognormal", "median_ms": 5, "p99_ms": 100}
//             | {"kind": "bimodal", "ms": 5, "slow_fraction": 0.05, "slow_factor": 20}}
// Every member is optional (defaults: healthy, 1 ms). `now` anchors down_for_ms. Errors:
// kInvalidArgument naming the field.
core::Result<UpstreamBehavior> ParseBehavior(std::string_view json_text,
                                             core::Clock::time_point now);
// The behaviour as JSON (down_for_ms: what is left of the outage at `now`).
std::string BehaviorToJson(const UpstreamBehavior& b, core::Clock::time_point now);

// One request's fate.
struct Reply {
  Duration latency{};
  int status = 200;
  bool outage = false;
  std::optional<std::chrono::seconds> retry_after;
};

struct UpstreamStats {
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;  // replies with a 4xx/5xx status (outages included)
  std::int64_t in_flight = 0;
  std::int64_t max_in_flight = 0;
};

// Thread-safe (one mutex: the draws must come from one generator to be reproducible).
class UpstreamModel {
 public:
  UpstreamModel(UpstreamBehavior behavior, std::uint64_t seed, core::Clock& clock);

  // A request arrives: draws its reply and counts it in flight until Finish().
  Reply Begin();
  void Finish();

  void Set(UpstreamBehavior behavior);
  UpstreamBehavior behavior() const;
  UpstreamStats Stats() const;

  // The latency draw alone (exposed for tests of the distributions).
  static Duration DrawLatency(const LatencyModel& m, Random& random);

 private:
  core::Clock& clock_;
  mutable core::Mutex mu_;
  UpstreamBehavior behavior_ SD_GUARDED_BY(mu_);
  SeededRandom random_ SD_GUARDED_BY(mu_);
  UpstreamStats stats_ SD_GUARDED_BY(mu_);
};

}  // namespace reliability::lab
