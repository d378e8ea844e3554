#include "06_reliability_patterns_mini/policy/pipeline_options.hpp"

#include "06_reliability_patterns_mini/policy/json_fields.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <cmath>
#include <functional>
#include <initializer_list>
#include <utility>
#include <vector>

namespace reliability {
namespace {

namespace json = boost::json;
using Ms = std::chrono::duration<double, std::milli>;

using namespace json_fields;  // NOLINT: the reader vocabulary of this file

// A policy section: an object (on, with these fields), true (on, defaults), false/null (off).
template <class T>
core::Result<void> ReadSection(const json::value& v, const std::string& where,
                               std::optional<T>& out,
                               core::Result<void> (*read)(const json::value&, const std::string&,
                                                          T&)) {
  if (v.is_null() || (v.is_bool() && !v.get_bool())) {
    out.reset();
    return {};
  }
  T options;
  if (v.is_bool()) {
    out = options;
    return {};
  }
  if (!v.is_object()) return Invalid(where + ": must be an object, true, false or null");
  if (auto ok = read(v, where, options); !ok) return ok.error();
  out = options;
  return {};
}

core::Result<void> ReadTimeout(const json::value& v, const std::string& w, TimeoutOptions& o) {
  return ReadObject(v, w,
                    {{"attempt_ms", Set(o.attempt, Millis)}, {"total_ms", Set(o.total, Millis)}});
}

core::Result<void> ReadRetry(const json::value& v, const std::string& w, RetryOptions& o) {
  BackoffOptions& b = o.backoff;
  return ReadObject(
      v, w,
      {{"max_attempts", Set(o.max_attempts, Integer)},
       {"backoff", SetEnum<BackoffKind>(b.kind, {{"constant", BackoffKind::kConstant},
                                                 {"exponential", BackoffKind::kExponential}})},
       {"base_ms", Set(b.base, Millis)},
       {"max_ms", Set(b.max, Millis)},
       {"jitter", SetEnum<Jitter>(b.jitter, {{"none", Jitter::kNone},
                                             {"full", Jitter::kFull},
                                             {"equal", Jitter::kEqual},
                                             {"decorrelated", Jitter::kDecorrelated}})}});
}

core::Result<void> ReadBudget(const json::value& v, const std::string& w, RetryBudgetOptions& o) {
  return ReadObject(v, w,
                    {{"ratio", Set(o.ratio, Number)},
                     {"min_per_second", Set(o.min_per_second, Number)},
                     {"window_ms", Set(o.window, Millis)}});
}

core::Result<void> ReadBreaker(const json::value& v, const std::string& w, BreakerOptions& o) {
  return ReadObject(v, w,
                    {{"window", SetEnum<WindowType>(o.window, {{"count", WindowType::kCount},
                                                               {"time", WindowType::kTime}})},
                     {"window_size", Set(o.window_size, Integer)},
                     {"minimum_calls", Set(o.minimum_calls, Integer)},
                     {"failure_rate", Set(o.failure_rate, Number)},
                     {"slow_call_rate", Set(o.slow_call_rate, Number)},
                     {"slow_call_ms", Set(o.slow_call, Millis)},
                     {"open_ms", Set(o.open_wait, Millis)},
                     {"half_open_probes", Set(o.half_open_probes, Integer)}});
}

core::Result<void> ReadBulkhead(const json::value& v, const std::string& w, BulkheadOptions& o) {
  return ReadObject(v, w,
                    {{"max_concurrent", Set(o.max_concurrent, Integer)},
                     {"max_queue", Set(o.max_queue, Integer)},
                     {"max_wait_ms", Set(o.max_wait, Millis)}});
}

core::Result<void> ReadHedge(const json::value& v, const std::string& w, HedgeOptions& o) {
  return ReadObject(v, w,
                    {{"max_hedges", Set(o.max_hedges, Integer)},
                     {"delay_ms", Set(o.delay, Millis)},
                     {"percentile", Set(o.percentile, Number)},
                     {"min_samples", Set(o.min_samples, Integer)},
                     {"window", Set(o.window, Integer)}});
}

core::Result<void> ReadThrottle(const json::value& v, const std::string& w, ThrottleOptions& o) {
  return ReadObject(v, w, {{"k", Set(o.k, Number)}, {"window_ms", Set(o.window, Millis)}});
}

// ---- validation ---------------------------------------------------------------------------

struct Checker {
  std::optional<core::Error> error;

  void Require(bool ok, std::string_view field, std::string_view rule) {
    if (!ok && !error) error = Invalid(std::string(field) + ": " + std::string(rule));
  }
  void Duration(core::Clock::duration d, std::string_view field, bool zero_ok = false) {
    const bool ok = (zero_ok ? d.count() >= 0 : d.count() > 0) &&
                    d <= std::chrono::milliseconds(kMaxDurationMs);
    Require(ok, field, zero_ok ? "must be in [0, 3600000] ms" : "must be in (0, 3600000] ms");
  }
};

// ---- writing ------------------------------------------------------------------------------

double ToMs(core::Clock::duration d) { return Ms(d).count(); }

}  // namespace

core::Result<void> ValidatePipelineOptions(const PipelineOptions& o) {
  Checker c;
  c.Duration(o.timeout.attempt, "timeout.attempt_ms");
  c.Duration(o.timeout.total, "timeout.total_ms");
  c.Require(o.retry.max_attempts >= 1 && o.retry.max_attempts <= kMaxAttempts, "retry.max_attempts",
            "must be in [1, 10]");
  c.Duration(o.retry.backoff.base, "retry.base_ms");
  c.Duration(o.retry.backoff.max, "retry.max_ms");
  c.Require(o.retry.backoff.max >= o.retry.backoff.base, "retry.max_ms",
            "must be >= retry.base_ms");
  if (const auto& b = o.budget) {
    c.Require(b->ratio >= 0 && b->ratio <= 1, "budget.ratio", "must be in [0, 1]");
    c.Require(b->min_per_second >= 0 && b->min_per_second <= 1e6, "budget.min_per_second",
              "must be in [0, 1000000]");
    c.Duration(b->window, "budget.window_ms");
    c.Require(b->window >= std::chrono::milliseconds(100), "budget.window_ms",
              "must be at least 100 ms");
  }
  if (const auto& b = o.breaker) {
    if (b->window == WindowType::kCount) {
      c.Require(b->window_size >= 1 && b->window_size <= kMaxCountWindow, "breaker.window_size",
                "must be in [1, 10000] calls for a count window");
    } else {
      c.Require(b->window_size >= 1 && b->window_size <= kMaxTimeWindowSeconds,
                "breaker.window_size", "must be in [1, 3600] seconds for a time window");
    }
    c.Require(b->minimum_calls >= 1 && b->minimum_calls <= 1'000'000, "breaker.minimum_calls",
              "must be in [1, 1000000]");
    c.Require(b->failure_rate > 0 && b->failure_rate <= 1, "breaker.failure_rate",
              "must be in (0, 1]");
    c.Require(b->slow_call_rate > 0 && b->slow_call_rate <= 1, "breaker.slow_call_rate",
              "must be in (0, 1]");
    c.Duration(b->slow_call, "breaker.slow_call_ms");
    c.Duration(b->open_wait, "breaker.open_ms");
    c.Require(b->half_open_probes >= 1 && b->half_open_probes <= 1000, "breaker.half_open_probes",
              "must be in [1, 1000]");
  }
  if (const auto& b = o.bulkhead) {
    c.Require(b->max_concurrent >= 1 && b->max_concurrent <= kMaxConcurrent,
              "bulkhead.max_concurrent", "must be in [1, 1000000]");
    c.Require(b->max_queue >= 0 && b->max_queue <= kMaxQueue, "bulkhead.max_queue",
              "must be in [0, 100000]");
    c.Duration(b->max_wait, "bulkhead.max_wait_ms", /*zero_ok=*/true);
    c.Require(b->max_queue == 0 || b->max_wait.count() > 0, "bulkhead.max_wait_ms",
              "must be > 0 when bulkhead.max_queue > 0");
  }
  if (const auto& h = o.hedge) {
    c.Require(h->max_hedges >= 1 && h->max_hedges <= kMaxHedges, "hedge.max_hedges",
              "must be in [1, 3]");
    c.Duration(h->delay, "hedge.delay_ms");
    c.Require(h->percentile >= 0 && h->percentile < 100, "hedge.percentile",
              "must be 0 (fixed delay) or in (0, 100)");
    c.Require(h->window >= 1 && h->window <= kMaxLatencyWindow, "hedge.window",
              "must be in [1, 100000]");
    c.Require(h->min_samples >= 1 && h->min_samples <= h->window, "hedge.min_samples",
              "must be in [1, hedge.window]");
  }
  if (const auto& t = o.throttle) {
    c.Require(t->k >= 1 && t->k <= 10, "throttle.k", "must be in [1, 10]");
    c.Duration(t->window, "throttle.window_ms");
    c.Require(t->window >= std::chrono::seconds(1), "throttle.window_ms",
              "must be at least 1000 ms");
  }
  if (c.error) return *c.error;
  return {};
}

core::Result<PipelineOptions> ParsePipelineOptions(std::string_view json_text) {
  boost::system::error_code ec;
  json::parse_options limits;
  limits.max_depth = 8;  // the format is two levels deep; refuse deeper nesting early
  const json::value root = json::parse(json_text, ec, {}, limits);
  if (ec) return Invalid("policy: invalid JSON: " + ec.message());
  if (!root.is_object()) return Invalid("policy: must be a JSON object");
  PipelineOptions o;
  for (const json::key_value_pair& kv : root.get_object()) {
    const std::string key(kv.key());
    const json::value& v = kv.value();
    core::Result<void> ok;
    if (key == "timeout") {
      ok = ReadTimeout(v, key, o.timeout);
    } else if (key == "retry") {
      ok = ReadRetry(v, key, o.retry);
    } else if (key == "budget") {
      ok = ReadSection(v, key, o.budget, ReadBudget);
    } else if (key == "breaker") {
      ok = ReadSection(v, key, o.breaker, ReadBreaker);
    } else if (key == "bulkhead") {
      ok = ReadSection(v, key, o.bulkhead, ReadBulkhead);
    } else if (key == "hedge") {
      ok = ReadSection(v, key, o.hedge, ReadHedge);
    } else if (key == "throttle") {
      ok = ReadSection(v, key, o.throttle, ReadThrottle);
    } else {
      return Invalid(key +
                     ": unknown member (expected timeout, retry, budget, breaker, bulkhead, "
                     "hedge, throttle)");
    }
    if (!ok) return ok.error();
  }
  if (auto ok = ValidatePipelineOptions(o); !ok) return ok.error();
  return o;
}

std::string PipelineOptionsToJson(const PipelineOptions& o) {
  JsonWriter w;
  w.Open("timeout");
  w.Num("attempt_ms", ToMs(o.timeout.attempt)).Num("total_ms", ToMs(o.timeout.total));
  w.Close().Open("retry");
  w.Num("max_attempts", o.retry.max_attempts)
      .Str("backoff", NameOf(o.retry.backoff.kind))
      .Num("base_ms", ToMs(o.retry.backoff.base))
      .Num("max_ms", ToMs(o.retry.backoff.max))
      .Str("jitter", NameOf(o.retry.backoff.jitter));
  w.Close();
  if (const auto& b = o.budget) {
    w.Open("budget");
    w.Num("ratio", b->ratio).Num("min_per_second", b->min_per_second);
    w.Num("window_ms", ToMs(b->window)).Close();
  } else {
    w.Off("budget");
  }
  if (const auto& b = o.breaker) {
    w.Open("breaker");
    w.Str("window", NameOf(b->window))
        .Num("window_size", b->window_size)
        .Num("minimum_calls", b->minimum_calls)
        .Num("failure_rate", b->failure_rate)
        .Num("slow_call_rate", b->slow_call_rate)
        .Num("slow_call_ms", ToMs(b->slow_call))
        .Num("open_ms", ToMs(b->open_wait))
        .Num("half_open_probes", b->half_open_probes)
        .Close();
  } else {
    w.Off("breaker");
  }
  if (const auto& b = o.bulkhead) {
    w.Open("bulkhead");
    w.Num("max_concurrent", b->max_concurrent).Num("max_queue", b->max_queue);
    w.Num("max_wait_ms", ToMs(b->max_wait)).Close();
  } else {
    w.Off("bulkhead");
  }
  if (const auto& h = o.hedge) {
    w.Open("hedge");
    w.Num("max_hedges", h->max_hedges).Num("delay_ms", ToMs(h->delay));
    w.Num("percentile", h->percentile).Num("min_samples", h->min_samples);
    w.Num("window", h->window).Close();
  } else {
    w.Off("hedge");
  }
  if (const auto& t = o.throttle) {
    w.Open("throttle");
    w.Num("k", t->k).Num("window_ms", ToMs(t->window)).Close();
  } else {
    w.Off("throttle");
  }
  return w.Finish();
}

}  // namespace reliability
