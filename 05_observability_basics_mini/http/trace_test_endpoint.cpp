#include "05_observability_basics_mini/http/trace_test_endpoint.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>

#include "core/http/http_client.hpp"

namespace obs {
namespace {

using core::Exchange;
using core::Task;

struct Call {
  core::Upstream upstream;
  std::string target;
  std::string body;
};

core::Result<std::vector<Call>> ParseCalls(std::string_view text, const TraceTestOptions& o) {
  boost::system::error_code ec;
  auto doc = boost::json::parse(text, ec);
  if (ec || !doc.is_array()) {
    return core::Error(core::Code::kInvalidArgument,
                       "body must be a JSON array of {url, arguments}");
  }
  const auto& items = doc.as_array();
  if (items.size() > o.max_calls) {
    return core::Error(core::Code::kInvalidArgument,
                       "at most " + std::to_string(o.max_calls) + " calls per request");
  }
  std::vector<Call> calls;
  for (const auto& item : items) {
    const auto* obj = item.if_object();
    const auto* url = obj ? obj->if_contains("url") : nullptr;
    const auto* args = obj ? obj->if_contains("arguments") : nullptr;
    if (!url || !url->is_string() || !args || !args->is_array()) {
      return core::Error(core::Code::kInvalidArgument,
                         "each element needs a string \"url\" and an array \"arguments\"");
    }
    auto parsed = core::ParseHttpUrl(url->as_string());
    if (!parsed) return parsed.error();
    const auto& host = parsed->first.host;
    if (std::find(o.allowed_hosts.begin(), o.allowed_hosts.end(), host) == o.allowed_hosts.end()) {
      return core::Error(core::Code::kForbidden,
                         "host " + host + " is not allowed (see --test-allow-host)");
    }
    calls.push_back({parsed->first, parsed->second, boost::json::serialize(*args)});
  }
  return calls;
}

// The depth this request arrived at: 0 from a client, n+1 from our own call at depth n.
int DepthOf(const core::Request& request) {
  const auto it = request.find(kTestDepthHeader);
  if (it == request.end()) return 0;
  const std::string_view text = it->value();
  int depth = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), depth);
  if (ec != std::errc() || end != text.data() + text.size() || depth < 0) return 1 << 20;
  return depth;
}

// For each element, POST its arguments to its url with the trace context passed on (one new
// parent-id per call). Answers 200 with the status of every call.
Task<void> Handle(core::HttpClient* client, const TraceTestOptions* options, Exchange& ex) {
  const int depth = DepthOf(ex.request);
  if (depth >= options->max_depth) {
    ex.Fail(core::Error(core::Code::kInvalidArgument,
                        "nested /test calls deeper than --test-max-depth"));
    co_return;
  }
  auto calls = ParseCalls(ex.request.body(), *options);
  if (!calls) {
    ex.Fail(calls.error());
    co_return;
  }
  const auto deadline = std::chrono::steady_clock::now() + options->timeout;
  boost::json::array results;
  for (auto& call : *calls) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      results.push_back(boost::json::object{{"error", "deadline exceeded (--test-timeout)"}});
      continue;
    }
    core::Request req{core::http::verb::post, call.target, 11};
    req.set(core::http::field::content_type, "application/json");
    req.set(kTestDepthHeader, std::to_string(depth + 1));
    req.body() = std::move(call.body);
    auto response = co_await client->Send(call.upstream, std::move(req), &ex, left);
    if (response) {
      results.push_back(boost::json::object{{"status", response->result_int()}});
    } else {
      results.push_back(boost::json::object{{"error", response.error().detail}});
    }
  }
  ex.Json(core::http::status::ok, boost::json::serialize(results));
}

}  // namespace

void TraceTestEndpoint::AddFlags(core::ServiceCli& cli) {
  cli.AddSwitch("test-endpoint", options_.enabled,
                "Serve POST /test (the W3C trace-context harness; makes outbound calls)");
  cli.AddOption("test-max-calls", options_.max_calls, "Calls per POST /test")
      ->check(CLI::Range(1, 1024));
  cli.AddOption("test-allow-host", options_.allowed_hosts,
                "Hosts POST /test may call (guards against SSRF)");
  cli.AddDuration("test-timeout", options_.timeout, "Deadline of one POST /test, all calls");
  cli.AddOption("test-max-depth", options_.max_depth, "Nested POST /test hops allowed")
      ->check(CLI::Range(1, 16));
}

core::Result<void> TraceTestEndpoint::Install(core::App& app) {
  if (!options_.enabled) return {};
  app.router().Post("/test",
                    [c = &app.client(), o = &options_](Exchange& ex) { return Handle(c, o, ex); });
  return {};
}

}  // namespace obs
