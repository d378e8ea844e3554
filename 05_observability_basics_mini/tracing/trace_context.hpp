// W3C Trace Context (Level 1 Recommendation, https://www.w3.org/TR/trace-context-1/): the
// `traceparent` header, trace/span ids, and the server-span / outbound-call rules built on them.
//
// Design: parse strictly (the spec's rules, checked against the w3c/trace-context test suite's
// cases in trace_context_test.cpp), and never fail a request over tracing: an invalid or absent
// parent simply starts a new trace. Header values are taken as string_views so this file needs no
// HTTP library. One Level 2 difference is not implemented: trace-flags bit 1 is the "random
// trace-id" flag (Level 1 says unknown bits MUST be sent as zero, so we mask them). tracestate
// follows the current (Level 2) text: see tracestate.hpp.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "05_observability_basics_mini/tracing/tracestate.hpp"

namespace obs {

using TraceId = std::array<std::uint8_t, 16>;
using SpanId = std::array<std::uint8_t, 8>;

inline constexpr std::uint8_t kSampledFlag = 0x01;
// The only trace-flags bits Level 1 defines; others are zeroed before we send a traceparent.
inline constexpr std::uint8_t kKnownTraceFlags = kSampledFlag;
inline constexpr std::size_t kTraceparentLength = 55;  // "00-" 32 "-" 16 "-" 2

// A parsed `traceparent`: the caller's span.
struct TraceParent {
  std::uint8_t version = 0;  // 0x00..0xfe; fields beyond version 00's are ignored, never kept
  TraceId trace_id{};        // never all zero
  SpanId parent_id{};        // the caller's span id; never all zero
  std::uint8_t flags = 0;    // as received (unknown bits included)
};

// Parses one `traceparent` value (surrounding spaces/tabs are ignored). Returns nullopt unless it
// is version 00 of exactly 55 characters, or a higher version (not ff) whose first 55 characters
// parse as version 00's fields and, if longer, continue with '-'. Lowercase hex only; an all-zero
// trace-id or parent-id is invalid. Pure, thread-safe, no allocation.
std::optional<TraceParent> ParseTraceparent(std::string_view value) noexcept;

// The same over every `traceparent` header line of a request: exactly one line must be present
// (two lines are ambiguous, so the trace restarts, as the W3C test suite expects).
std::optional<TraceParent> ParseTraceparentHeaders(
    std::span<const std::string_view> lines) noexcept;

// "00-<32 hex>-<16 hex>-<2 hex>": always version 00, `flags` written as given.
std::string FormatTraceparent(const TraceId& trace_id, const SpanId& span_id, std::uint8_t flags);

// Random, never all-zero ids from the calling thread's generator (thread_random.hpp). Thread-safe.
TraceId NewTraceId() noexcept;
SpanId NewSpanId() noexcept;

bool IsZero(std::span<const std::uint8_t> id) noexcept;

// What a server records for the request it is handling.
struct ServerSpan {
  TraceId trace_id{};
  SpanId span_id{};         // ours, fresh for this request
  SpanId parent_span_id{};  // the caller's span; all zero when we started the trace
  std::uint8_t flags = 0;   // masked to kKnownTraceFlags
  std::string tracestate;   // normalized (tracestate.hpp); "" when none or invalid
  bool continued = false;   // true when a valid traceparent was received
};

struct ServerSpanOptions {
  // trace-flags for traces we start. The spec's default for a service that defers the recording
  // decision is "not sampled"; set true when every request's trace is recorded.
  bool sample_new_traces = false;
};

// The server span for an incoming request, given all its `traceparent` and `tracestate` header
// lines. A valid parent is continued: same trace-id, its parent-id remembered, its sampled bit
// kept, tracestate validated and normalized (invalid → dropped, traceparent still honoured).
// Otherwise a new trace starts and tracestate is ignored (the spec forbids parsing it without a
// parent). Thread-safe.
ServerSpan StartServerSpan(std::span<const std::string_view> traceparent_lines,
                           std::span<const std::string_view> tracestate_lines,
                           const ServerSpanOptions& options = {});

// The `traceparent` for one outbound call made while handling a request of `trace_id`/`flags`:
// a new span id per call (returned through `child_span` when non-null, for logging), version 00,
// unknown flag bits cleared. Pass the request's tracestate on unchanged alongside it (omit the
// header when it is empty). Thread-safe.
std::string OutboundTraceparent(const TraceId& trace_id, std::uint8_t flags,
                                SpanId* child_span = nullptr);

}  // namespace obs
