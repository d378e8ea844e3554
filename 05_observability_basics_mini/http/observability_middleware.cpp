#include "05_observability_basics_mini/http/observability_middleware.hpp"

#include <array>
#include <boost/beast/http/field.hpp>
#include <boost/container/small_vector.hpp>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "05_observability_basics_mini/http/connection_metrics.hpp"
#include "05_observability_basics_mini/metrics/process_metrics.hpp"
#include "05_observability_basics_mini/metrics/text_format.hpp"
#include "05_observability_basics_mini/tracing/request_id.hpp"
#include "05_observability_basics_mini/tracing/trace_context.hpp"
#include "core/base/hex.hpp"
#include "core/base/thread_random.hpp"
#include "core/http/problem.hpp"
#include "core/net/peer_address.hpp"

namespace obs {
namespace {

using core::http::field;

// All values of a header that may legally repeat (tracestate) or must not (traceparent: the
// trace-context rules need to see duplicates to reject them).
std::vector<std::string_view> HeaderLines(const core::Request& req, std::string_view name) {
  std::vector<std::string_view> lines;
  auto [first, last] = req.equal_range(name);
  for (auto it = first; it != last; ++it) lines.push_back(it->value());
  return lines;
}

// Balances metrics_.Started() even if the coroutine is destroyed mid-request (shutdown deadline).
struct InFlight {
  explicit InFlight(RequestMetrics& m) : metrics(m) { metrics.Started(); }
  ~InFlight() { metrics.Finished(); }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;
  RequestMetrics& metrics;
};

// CLI::Range tests `value < min || value > max`, which NaN passes ("nan" parses as a double).
std::string RejectNan(const std::string& text) {
  if (std::isnan(std::strtod(text.c_str(), nullptr))) return "not a number: " + text;
  return {};
}

core::Task<void> ServeMetrics(const Registry* registry, core::Exchange& ex) {
  ex.Text(core::http::status::ok, registry->ExposeText(), kTextContentType);
  co_return;
}

}  // namespace

core::Task<void> ObservabilityMiddleware::Handle(core::Exchange& ex, core::Next next) {
  const auto start = std::chrono::steady_clock::now();
  const auto parents = HeaderLines(ex.request, "traceparent");
  const auto states = HeaderLines(ex.request, "tracestate");
  // Lives on this frame, so it outlives everything `next` runs (attributes are borrowed).
  const RequestContext context{
      AcceptOrNewRequestId(ex.request[kRequestIdHeader]),
      StartServerSpan(parents, states, {.sample_new_traces = options_.sample_new_traces})};
  ex.attributes.Set(kRequestContext, &context);
  ex.attributes.Set(core::kRequestId, &context.request_id);

  bool failed = false;
  {
    InFlight in_flight(metrics_);
    try {
      co_await next(ex);
    } catch (const std::exception& e) {
      LogFor(ex, core::log::Level::kError, "handler threw",
             {{"error", e.what()}, {"route", ex.route}});
      failed = true;
    }
  }
  if (failed) {
    ex.response = core::Response{};
    ex.Fail(core::Error(core::Code::kInternal, "the server hit an unexpected error"));
  }
  ex.response.set(kRequestIdHeader, context.request_id);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  const double seconds = std::chrono::duration<double>(elapsed).count();
  const int status = static_cast<int>(ex.response.result_int());
  metrics_.Record(ex.request.method_string(), ex.route, status, seconds);
  if (options_.access_log &&
      log_policy_.ShouldLog(status, elapsed, SampleKey(context.span.trace_id))) {
    AccessLog(ex, std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed));
  }
  // The context dies with this frame: nothing after us may read it.
  ex.attributes.Set(kRequestContext, nullptr);
  ex.attributes.Set(core::kRequestId, nullptr);
}

void ObservabilityMiddleware::AccessLog(const core::Exchange& ex,
                                        std::chrono::nanoseconds elapsed) const {
  if (!core::log::Enabled(core::log::Level::kInfo)) return;
  const core::PeerAddressText peer(ex.peer);
  LogFor(ex, core::log::Level::kInfo, "request",
         {{"method", std::string_view(ex.request.method_string())},
          {"route", ex.route},
          {"status", static_cast<int>(ex.response.result_int())},
          {"duration_s", elapsed},
          {"bytes_in", ex.request.body().size()},
          {"bytes_out", ex.response.body().size()},
          {"peer", peer.view()}});
}

void ObservabilityMiddleware::OnRejection(core::Response& response,
                                          const boost::asio::ip::address& peer) const {
  const std::string id = NewRequestId();
  response.set(kRequestIdHeader, id);
  const int status = static_cast<int>(response.result_int());
  metrics_.Record("", "", status, 0.0);
  // No trace to key on, so a fresh draw: a flood of malformed requests is sampled like a flood of
  // 404s (the counter above still has every one), and rate 1 still logs them all.
  if (options_.access_log && core::log::Enabled(core::log::Level::kInfo) &&
      log_policy_.ShouldLog(status, std::chrono::nanoseconds::zero(), core::ThreadRandom64())) {
    const core::PeerAddressText peer_text(peer);
    core::log::Info(
        "request rejected",
        {{"request_id", id}, {"route", ""}, {"status", status}, {"peer", peer_text.view()}});
  }
}

HttpObservability::HttpObservability(HttpObservabilityOptions options)
    : options_(options), metrics_(registry_) {
  RegisterProcessMetrics(registry_);
  RegisterBuildInfo(registry_);
  registry_.AddCallbackCounter("sd_log_lines_dropped_total",
                               "Log lines dropped because the log queue was full",
                               [] { return static_cast<double>(core::log::DroppedLines()); });
}

void HttpObservability::AddFlags(core::ServiceCli& cli) {
  cli.AddSwitch("observability", options_.enabled,
                "Request ids, tracing, metrics and access logs (off only to measure their cost)");
  cli.AddSwitch("access-log", options_.access_log, "One JSON line per request");
  cli.AddOption("access-log-sample", options_.access_log_sample,
                "Fraction of requests logged, keyed on the trace id (5xx and slow: always)")
      ->check(CLI::Range(0.0, 1.0))
      ->check(CLI::Validator(RejectNan, "", "not NaN"));
  cli.AddDuration("access-log-slow", options_.access_log_slow,
                  "Always log requests at least this slow (0: no such rule)", true);
}

core::Result<void> HttpObservability::Install(core::App& app) {
  if (options_.enabled) Install(app.router(), app.pipeline(), &app.client());
  return {};
}

core::Result<void> HttpObservability::Start(core::Server& server) {
  RegisterConnectionMetrics(registry_, "http", [&server] { return server.connection_stats(); });
  RegisterBodyBudgetMetrics(registry_, server.body_budget());
  return {};
}

void HttpObservability::Install(core::Router& router, core::Pipeline& pipeline,
                                core::HttpClient* client) {
  middleware_ = std::make_shared<ObservabilityMiddleware>(metrics_, options_);
  router.Get("/metrics", [r = &registry_](core::Exchange& ex) { return ServeMetrics(r, ex); });
  pipeline.Use(middleware_);
  pipeline.OnRejection(
      [m = middleware_](core::Response& res, const boost::asio::ip::address& peer) {
        m->OnRejection(res, peer);
      });
  if (client) client->AddOutboundHook(PropagateContext);
}

void LogFor(const core::Exchange& ex, core::log::Level level, std::string_view message,
            std::initializer_list<core::log::Field> fields) {
  if (!core::log::Enabled(level)) return;
  std::array<char, 32> trace_hex;
  std::array<char, 16> span_hex;
  std::string_view request_id, trace_id, span_id;
  if (const RequestContext* context = ContextOf(ex)) {
    request_id = context->request_id;
    trace_id = core::HexInto(context->span.trace_id, trace_hex);
    span_id = core::HexInto(context->span.span_id, span_hex);
  }
  boost::container::small_vector<core::log::Field, 16> all;  // no allocation for an access line
  all.emplace_back("request_id", request_id);
  all.emplace_back("trace_id", trace_id);
  all.emplace_back("span_id", span_id);
  all.insert(all.end(), fields.begin(), fields.end());
  core::log::Write(level, message, std::span<const core::log::Field>(all.data(), all.size()));
}

void PropagateContext(const core::Exchange* parent, core::Request& outbound) {
  const RequestContext* context = parent ? ContextOf(*parent) : nullptr;
  if (context == nullptr) return;
  outbound.set(kRequestIdHeader, context->request_id);
  outbound.set("traceparent", OutboundTraceparent(context->span.trace_id, context->span.flags));
  if (context->span.tracestate.empty()) {
    outbound.erase("tracestate");
  } else {
    outbound.set("tracestate", context->span.tracestate);
  }
}

}  // namespace obs
