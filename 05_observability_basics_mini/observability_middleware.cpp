#include "05_observability_basics_mini/observability_middleware.hpp"

#include <boost/beast/http/field.hpp>
#include <chrono>
#include <vector>

#include "05_observability_basics_mini/hex.hpp"
#include "05_observability_basics_mini/process_metrics.hpp"
#include "05_observability_basics_mini/request_id.hpp"
#include "05_observability_basics_mini/text_format.hpp"
#include "05_observability_basics_mini/trace_context.hpp"
#include "core/problem.hpp"

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

std::string PeerText(const boost::asio::ip::address& peer) {
  return peer.is_unspecified() ? std::string() : peer.to_string();
}

core::Task<void> ServeMetrics(const Registry* registry, core::Exchange& ex) {
  ex.Text(core::http::status::ok, registry->ExposeText(), kTextContentType);
  co_return;
}

}  // namespace

core::Task<void> ObservabilityMiddleware::Handle(core::Exchange& ex, core::Next next) {
  const auto start = std::chrono::steady_clock::now();
  ex.request_id = AcceptOrNewRequestId(ex.request[kRequestIdHeader]);
  const auto parents = HeaderLines(ex.request, "traceparent");
  const auto states = HeaderLines(ex.request, "tracestate");
  AssignTraceIds(
      StartServerSpan(parents, states, {.sample_new_traces = options_.sample_new_traces}),
      ex.trace);

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
  ex.response.set(kRequestIdHeader, ex.request_id);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  metrics_.Record(ex.request.method_string(), ex.route, static_cast<int>(ex.response.result_int()),
                  seconds);
  if (options_.access_log) AccessLog(ex, seconds);
}

void ObservabilityMiddleware::AccessLog(const core::Exchange& ex, double seconds) const {
  if (!core::log::Enabled(core::log::Level::kInfo)) return;
  const std::string peer = PeerText(ex.peer);
  LogFor(ex, core::log::Level::kInfo, "request",
         {{"method", std::string_view(ex.request.method_string())},
          {"route", ex.route},
          {"status", static_cast<int>(ex.response.result_int())},
          {"duration_s", seconds},
          {"bytes_in", ex.request.body().size()},
          {"bytes_out", ex.response.body().size()},
          {"peer", peer}});
}

void ObservabilityMiddleware::OnRejection(core::Response& response,
                                          const boost::asio::ip::address& peer) const {
  const std::string id = NewRequestId();
  response.set(kRequestIdHeader, id);
  const int status = static_cast<int>(response.result_int());
  metrics_.Record("", "", status, 0.0);
  if (options_.access_log && core::log::Enabled(core::log::Level::kInfo)) {
    const std::string peer_text = PeerText(peer);
    core::log::Info("request rejected",
                    {{"request_id", id}, {"route", ""}, {"status", status}, {"peer", peer_text}});
  }
}

HttpObservability::HttpObservability(HttpObservabilityOptions options)
    : metrics_(registry_),
      middleware_(std::make_shared<ObservabilityMiddleware>(metrics_, options)) {
  RegisterProcessMetrics(registry_);
  RegisterBuildInfo(registry_);
  registry_.AddCallbackCounter("sd_log_lines_dropped_total",
                               "Log lines dropped because the log queue was full",
                               [] { return static_cast<double>(core::log::DroppedLines()); });
}

void HttpObservability::Install(core::Router& router, core::Pipeline& pipeline,
                                core::HttpClient* client) {
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
  std::string trace_id, span_id;
  if (ex.trace.valid()) {
    trace_id = ToHex(ex.trace.trace_id);
    span_id = ToHex(ex.trace.span_id);
  }
  std::vector<core::log::Field> all;
  all.reserve(3 + fields.size());
  all.emplace_back("request_id", ex.request_id);
  all.emplace_back("trace_id", trace_id);
  all.emplace_back("span_id", span_id);
  all.insert(all.end(), fields.begin(), fields.end());
  core::log::Write(level, message, all);
}

void PropagateContext(const core::Exchange* parent, core::Request& outbound) {
  if (parent == nullptr) return;
  if (!parent->request_id.empty()) outbound.set(kRequestIdHeader, parent->request_id);
  if (!parent->trace.valid()) return;
  outbound.set("traceparent", OutboundTraceparent(parent->trace.trace_id, parent->trace.flags));
  if (parent->trace.tracestate.empty()) {
    outbound.erase("tracestate");
  } else {
    outbound.set("tracestate", parent->trace.tracestate);
  }
}

}  // namespace obs
