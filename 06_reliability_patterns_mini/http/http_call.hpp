// The pipeline around core::HttpClient: what the gateway runs per route and sd-reliability's
// /call runs per upstream. Each attempt sends a fresh copy of the request carrying the time it has
// left in `X-Request-Timeout-Ms` (whole milliseconds, relative — so clock skew between hosts does
// not matter, the reason gRPC's grpc-timeout is relative too), and the client is given the same
// bound (rounded up). Because the client enforces it, the pipeline runs the attempts inline
// (CallOptions::operation_honours_deadline) unless hedging needs two at once; with hedging, the
// client's timer is a backstop 50 ms behind the pipeline's own. Results are classified by
// ClassifyHttp (policy/classify.hpp): a response by its status and Retry-After, a client error by
// what failed — connecting (never sent: always safe to retry), timing out, a broken connection, a
// malformed answer.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "06_reliability_patterns_mini/pipeline/pipeline.hpp"
#include "core/http/exchange.hpp"
#include "core/http/http_client.hpp"

namespace reliability {

// The remaining deadline, outbound on every attempt and honoured inbound by sd-reliability.
inline constexpr std::string_view kDeadlineHeader = "X-Request-Timeout-Ms";

struct HttpCallOptions {
  // The caller vouches that repeating the request is harmless even though its method is not
  // idempotent (a request with an Idempotency-Key header counts as vouched for).
  bool safe_to_retry = false;
};

// Idempotent method (GET, HEAD, PUT, DELETE, OPTIONS, TRACE), an Idempotency-Key header, or
// options.safe_to_retry.
bool SafeToRetry(const core::Request& request, const HttpCallOptions& options);

// What an HttpClient error stands for. core::HttpClient reports connect and resolve failures as
// kUnavailable (or kTimeout for a connect timeout) with "connect"/"resolve" in the detail; its
// test in http_call_test.cpp pins that wording against the real client.
TransportFailure FailureOf(const core::Error& error);

// One attempt's result, classified (see ClassifyHttp). `now`: wall clock, for HTTP-date
// Retry-After values.
Classification ClassifyResponse(const core::Result<core::Response>& result, bool idempotent,
                                std::chrono::system_clock::time_point now);

// The value announced downstream for an attempt with `timeout` left: whole milliseconds, rounded
// down but at least 1 (0 would read as "no deadline" to many servers).
std::int64_t DeadlineMillis(core::Clock::duration timeout);

// An inbound X-Request-Timeout-Ms: digits only, > 0; values above an hour are capped at an hour.
// nullopt when malformed (the header is then ignored, never an error).
std::optional<std::chrono::milliseconds> ParseDeadlineHeader(std::string_view value);

// Sends `request` to `upstream` through `pipeline`. `client`, `pipeline` and `parent` (the inbound
// exchange, for the client's propagation hooks; may be null) must outlive the call. The result is
// the winning attempt's response (any status), or the client's error, or the pipeline's refusal.
Task<CallResult<core::Response>> CallHttp(Pipeline& pipeline, core::HttpClient& client,
                                          core::Upstream upstream, core::Request request,
                                          const core::Exchange* parent = nullptr,
                                          HttpCallOptions options = {}, CallOptions call = {});

}  // namespace reliability
