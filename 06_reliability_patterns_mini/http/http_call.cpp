#include "06_reliability_patterns_mini/http/http_call.hpp"

#include <algorithm>
#include <string>

namespace reliability {
namespace {

constexpr std::chrono::milliseconds kClientBackstop{50};

// Everything one attempt needs, by pointer: the referents live in CallHttp's frame, which
// outlives every attempt (the pipeline returns only once they have all reported back).
struct AttemptTarget {
  core::HttpClient* client;
  const core::Upstream* upstream;
  const core::Request* request;
  const core::Exchange* parent;
  bool pipeline_cuts_off;  // attempts are cancellable children (hedging): the client's timer is
                           // only a backstop behind the pipeline's
};

Task<core::Result<core::Response>> SendAttempt(AttemptTarget target, Attempt attempt) {
  core::Request request = *target.request;  // the client consumes its copy
  request.set(kDeadlineHeader, std::to_string(DeadlineMillis(attempt.timeout)));
  // Rounded up, so the client gives up at the attempt's deadline, never before it: a call whose
  // last attempt ran into the call's deadline then ends as "deadline", whichever timer fired.
  auto timeout = std::chrono::ceil<std::chrono::milliseconds>(attempt.timeout);
  if (target.pipeline_cuts_off) timeout += kClientBackstop;
  core::Result<core::Response> r =
      co_await target.client->Send(*target.upstream, std::move(request), target.parent, timeout);
  co_return r;
}

bool Mentions(std::string_view detail, std::string_view word) {
  return detail.find(word) != std::string_view::npos;
}

}  // namespace

bool SafeToRetry(const core::Request& request, const HttpCallOptions& options) {
  using core::http::verb;
  switch (request.method()) {
    case verb::get:
    case verb::head:
    case verb::put:
    case verb::delete_:
    case verb::options:
    case verb::trace:
      return true;
    default:
      break;
  }
  return options.safe_to_retry || request.find("Idempotency-Key") != request.end();
}

TransportFailure FailureOf(const core::Error& error) {
  switch (error.code) {
    case core::Code::kTimeout:
      // A connect that timed out never sent the request.
      return Mentions(error.detail, "(connect)") ? TransportFailure::kConnect
                                                 : TransportFailure::kTimeout;
    case core::Code::kUnavailable:
      return Mentions(error.detail, "connect failed") || Mentions(error.detail, "resolve failed")
                 ? TransportFailure::kConnect
                 : TransportFailure::kBroken;
    case core::Code::kBadGateway:
      return TransportFailure::kMalformed;
    default:
      return TransportFailure::kBroken;
  }
}

Classification ClassifyResponse(const core::Result<core::Response>& result, bool idempotent,
                                std::chrono::system_clock::time_point now) {
  HttpAttemptFacts facts;
  facts.idempotent = idempotent;
  if (!result) {
    facts.failure = FailureOf(result.error());
    return ClassifyHttp(facts, now);
  }
  facts.status = static_cast<int>(result->result_int());
  auto it = result->find(core::http::field::retry_after);
  if (it != result->end()) facts.retry_after = std::string_view(it->value());
  return ClassifyHttp(facts, now);
}

std::int64_t DeadlineMillis(core::Clock::duration timeout) {
  return std::max<std::int64_t>(
      1, std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count());
}

std::optional<std::chrono::milliseconds> ParseDeadlineHeader(std::string_view value) {
  if (value.empty() || value.size() > 12) return std::nullopt;
  std::int64_t ms = 0;
  for (const char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    ms = ms * 10 + (c - '0');
  }
  if (ms <= 0) return std::nullopt;
  return std::chrono::milliseconds(std::min<std::int64_t>(ms, 3'600'000));
}

Task<CallResult<core::Response>> CallHttp(Pipeline& pipeline, core::HttpClient& client,
                                          core::Upstream upstream, core::Request request,
                                          const core::Exchange* parent, HttpCallOptions options,
                                          CallOptions call) {
  const bool idempotent = SafeToRetry(request, options);
  // The client enforces each attempt's timeout itself, so without hedging the pipeline runs the
  // attempts inline (no child coroutine, no timer per attempt).
  call.operation_honours_deadline = true;
  const AttemptTarget target{&client, &upstream, &request, parent,
                             pipeline.options().hedge.has_value()};
  Operation<core::Response> op = [target](Attempt a) { return SendAttempt(target, a); };
  Classifier<core::Response> classify = [idempotent](const core::Result<core::Response>& r) {
    return ClassifyResponse(r, idempotent, std::chrono::system_clock::now());
  };
  CallResult<core::Response> result =
      co_await pipeline.Execute<core::Response>(std::move(op), std::move(classify), call);
  co_return result;
}

}  // namespace reliability
