#include "06_reliability_patterns_mini/http/trace_json.hpp"

#include <charconv>
#include <cstdio>

#include "core/base/decimal.hpp"

namespace reliability {
namespace {

void AppendRate(std::string& out, double rate) {
  if (rate < 0) {
    out += "null";
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, rate, std::chars_format::general, 4);
  out.append(buf, end);
}

}  // namespace

void AppendMillis(std::string& out, core::Clock::duration d) {
  char buf[32];
  const double ms = std::chrono::duration<double, std::milli>(d).count();
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, ms, std::chars_format::fixed, 3);
  out.append(buf, end);
}

void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", u);
      out += esc;
    } else {
      out += c;
    }
  }
  out += '"';
}

std::string TraceJson(const CallTrace& t) {
  std::string out = "{\"attempts\":[";
  bool first = true;
  for (const AttemptRecord& a : t.attempts) {
    if (!first) out += ',';
    first = false;
    out += "{\"n\":";
    core::AppendDecimal(out, a.number);
    out += a.hedge ? ",\"hedge\":true" : ",\"hedge\":false";
    out += ",\"offset_ms\":";
    AppendMillis(out, a.offset);
    out += ",\"duration_ms\":";
    AppendMillis(out, a.duration);
    out += ",\"outcome\":";
    AppendJsonString(out, a.outcome.empty() ? "running" : a.outcome);
    out += ",\"status\":";
    core::AppendDecimal(out, a.status);
    out += ",\"verdict\":";
    AppendJsonString(out, NameOf(a.verdict));
    out += ",\"breaker\":";
    AppendJsonString(out, NameOf(a.breaker));
    out += a.won ? ",\"won\":true}" : ",\"won\":false}";
  }
  out += "],\"ended_by\":";
  AppendJsonString(out, t.ended_by);
  out += ",\"refusal\":";
  AppendJsonString(out, NameOf(t.refusal));
  out += ",\"total_ms\":";
  AppendMillis(out, t.total);
  out += ",\"queued_ms\":";
  AppendMillis(out, t.queued);
  out += ",\"retries\":";
  core::AppendDecimal(out, t.retries);
  out += ",\"hedges\":";
  core::AppendDecimal(out, t.hedges);
  out += '}';
  return out;
}

std::string BreakerJson(std::string_view name, const BreakerSnapshot& s,
                        core::Clock::time_point now) {
  std::string out = "{\"name\":";
  AppendJsonString(out, name);
  out += ",\"state\":";
  AppendJsonString(out, NameOf(s.state));
  out += ",\"calls\":";
  core::AppendDecimal(out, static_cast<std::int64_t>(s.calls));
  out += ",\"failures\":";
  core::AppendDecimal(out, static_cast<std::int64_t>(s.failures));
  out += ",\"slow\":";
  core::AppendDecimal(out, static_cast<std::int64_t>(s.slow));
  out += ",\"failure_rate\":";
  AppendRate(out, s.failure_rate);
  out += ",\"slow_call_rate\":";
  AppendRate(out, s.slow_call_rate);
  out += ",\"probes_in_flight\":";
  core::AppendDecimal(out, s.probes_in_flight);
  out += ",\"probe_successes\":";
  core::AppendDecimal(out, s.probe_successes);
  out += ",\"open_remaining_ms\":";
  AppendMillis(out, s.open_remaining);
  out += ",\"rejected\":";
  core::AppendDecimal(out, static_cast<std::int64_t>(s.stats.rejected));
  out += ",\"transitions\":{";
  for (int i = 0; i < kBreakerStates; ++i) {
    if (i > 0) out += ',';
    AppendJsonString(out, NameOf(static_cast<BreakerState>(i)));
    out += ':';
    core::AppendDecimal(
        out, static_cast<std::int64_t>(s.stats.transitions[static_cast<std::size_t>(i)]));
  }
  out += "},\"recent\":[";
  for (std::size_t i = 0; i < s.recent.size(); ++i) {
    const BreakerTransition& t = s.recent[i];
    if (i > 0) out += ',';
    out += "{\"from\":";
    AppendJsonString(out, NameOf(t.from));
    out += ",\"to\":";
    AppendJsonString(out, NameOf(t.to));
    out += ",\"reason\":";
    AppendJsonString(out, t.reason);
    out += ",\"ago_ms\":";
    AppendMillis(out, now - t.at);
    out += '}';
  }
  out += "]}";
  return out;
}

}  // namespace reliability
