#include "05_observability_basics_mini/tracing/trace_context.hpp"

#include "core/base/hex.hpp"
#include "core/base/thread_random.hpp"

namespace obs {
namespace {

std::string_view TrimOws(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool IsZero(std::span<const std::uint8_t> id) noexcept {
  for (const std::uint8_t b : id) {
    if (b != 0) return false;
  }
  return true;
}

std::optional<TraceParent> ParseTraceparent(std::string_view value) noexcept {
  value = TrimOws(value);
  // Offsets of version 00's layout: vv-<trace 32>-<parent 16>-ff
  constexpr std::size_t kTraceAt = 3, kParentAt = 36, kFlagsAt = 53;
  if (value.size() < kTraceparentLength) return std::nullopt;
  if (value[2] != '-' || value[kParentAt - 1] != '-' || value[kFlagsAt - 1] != '-') {
    return std::nullopt;
  }
  std::array<std::uint8_t, 1> version{};
  if (!core::FromLowerHex(value.substr(0, 2), version) || version[0] == 0xff) return std::nullopt;
  if (version[0] == 0x00) {
    if (value.size() != kTraceparentLength) return std::nullopt;
  } else if (value.size() > kTraceparentLength && value[kTraceparentLength] != '-') {
    return std::nullopt;  // a future version may add fields, but only after another '-'
  }

  TraceParent parent;
  parent.version = version[0];
  std::array<std::uint8_t, 1> flags{};
  if (!core::FromLowerHex(value.substr(kTraceAt, 32), parent.trace_id) ||
      !core::FromLowerHex(value.substr(kParentAt, 16), parent.parent_id) ||
      !core::FromLowerHex(value.substr(kFlagsAt, 2), flags)) {
    return std::nullopt;
  }
  if (IsZero(parent.trace_id) || IsZero(parent.parent_id)) return std::nullopt;
  parent.flags = flags[0];
  return parent;
}

std::optional<TraceParent> ParseTraceparentHeaders(
    std::span<const std::string_view> lines) noexcept {
  if (lines.size() != 1) return std::nullopt;
  return ParseTraceparent(lines[0]);
}

std::string FormatTraceparent(const TraceId& trace_id, const SpanId& span_id, std::uint8_t flags) {
  std::string out;
  out.reserve(kTraceparentLength);
  out += "00-";
  core::AppendHex(out, trace_id);
  out += '-';
  core::AppendHex(out, span_id);
  out += '-';
  const std::uint8_t f[1] = {flags};
  core::AppendHex(out, f);
  return out;
}

TraceId NewTraceId() noexcept {
  TraceId id;
  do {
    core::FillRandom(id);
  } while (IsZero(id));  // all-zero is the spec's "invalid"; odds 2^-128, but never emit it
  return id;
}

SpanId NewSpanId() noexcept {
  SpanId id;
  do {
    core::FillRandom(id);
  } while (IsZero(id));
  return id;
}

ServerSpan StartServerSpan(std::span<const std::string_view> traceparent_lines,
                           std::span<const std::string_view> tracestate_lines,
                           const ServerSpanOptions& options) {
  ServerSpan span;
  span.span_id = NewSpanId();
  if (const auto parent = ParseTraceparentHeaders(traceparent_lines)) {
    span.trace_id = parent->trace_id;
    span.parent_span_id = parent->parent_id;
    span.flags = parent->flags & kKnownTraceFlags;
    span.continued = true;
    // A bad tracestate never costs us the parent (spec: "MUST NOT affect traceparent").
    if (auto state = NormalizeTracestate(tracestate_lines)) span.tracestate = std::move(*state);
    return span;
  }
  span.trace_id = NewTraceId();
  span.flags = options.sample_new_traces ? kSampledFlag : 0;
  return span;
}

std::string OutboundTraceparent(const TraceId& trace_id, std::uint8_t flags, SpanId* child_span) {
  const SpanId span = NewSpanId();
  if (child_span != nullptr) *child_span = span;
  return FormatTraceparent(trace_id, span, flags & kKnownTraceFlags);
}

}  // namespace obs
