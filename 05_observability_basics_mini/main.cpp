// sd-observability: the seed's 05 surface (/hello, /error, /metrics) with real observability, plus
// POST /test, the endpoint the W3C trace-context conformance harness drives. Composition root only.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>
#include <vector>

#include "05_observability_basics_mini/http/observability_middleware.hpp"
#include "core/http/http_client.hpp"
#include "core/http/service.hpp"

namespace {

using core::Exchange;
using core::Task;
using core::http::status;

struct TestEndpointOptions {
  std::size_t max_calls = 32;  // elements per POST /test
  std::vector<std::string> allowed_hosts = {"127.0.0.1", "localhost", "::1"};  // SSRF guard
};

Task<void> Hello(Exchange& ex) {
  boost::json::object body{{"message", "hello"}, {"request_id", ex.request_id}};
  ex.Json(status::ok, boost::json::serialize(body));
  co_return;
}

Task<void> Fail(Exchange& ex) {
  obs::LogFor(ex, core::log::Level::kWarn, "simulated failure requested");
  ex.Fail(core::Error(core::Code::kInternal, "simulated failure (this endpoint always fails)"));
  co_return;
}

// One parsed element of the POST /test body.
struct Call {
  core::Upstream upstream;
  std::string target;
  std::string body;
};

core::Result<std::vector<Call>> ParseCalls(std::string_view text, const TestEndpointOptions& o) {
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
    bool allowed = false;
    for (const auto& h : o.allowed_hosts) allowed = allowed || parsed->first.host == h;
    if (!allowed) {
      return core::Error(core::Code::kForbidden,
                         "host " + parsed->first.host + " is not allowed (see --test-allow-host)");
    }
    calls.push_back({parsed->first, parsed->second, boost::json::serialize(*args)});
  }
  return calls;
}

// For each element, POST its arguments to its url with the trace context passed on (one new
// parent-id per call). Answers 200 with the status of every call.
Task<void> TestHarness(core::HttpClient* client, const TestEndpointOptions* options, Exchange& ex) {
  auto calls = ParseCalls(ex.request.body(), *options);
  if (!calls) {
    ex.Fail(calls.error());
    co_return;
  }
  boost::json::array results;
  for (auto& call : *calls) {
    core::Request req{core::http::verb::post, call.target, 11};
    req.set(core::http::field::content_type, "application/json");
    req.body() = std::move(call.body);
    auto response = co_await client->Send(call.upstream, std::move(req), &ex);
    if (response) {
      results.push_back(boost::json::object{{"status", response->result_int()}});
    } else {
      results.push_back(boost::json::object{{"error", response.error().detail}});
    }
  }
  ex.Json(status::ok, boost::json::serialize(results));
}

}  // namespace

int main(int argc, char** argv) {
  core::ServiceCli cli(
      {"sd-observability", "Request IDs, trace context, JSON logs, metrics", 9005});
  TestEndpointOptions test_options;
  bool access_log = true;
  bool observability = true;
  cli.app()
      .add_option("--test-max-calls", test_options.max_calls, "Calls per POST /test")
      ->envname(cli.Env("test-max-calls"))
      ->check(CLI::Range(1, 1024));
  cli.app()
      .add_option("--test-allow-host", test_options.allowed_hosts,
                  "Hosts POST /test may call (guards against SSRF)")
      ->envname(cli.Env("test-allow-host"));
  cli.app()
      .add_flag("--access-log,!--no-access-log", access_log, "One JSON line per request")
      ->envname(cli.Env("access-log"));
  cli.app()
      .add_flag("--observability,!--no-observability", observability,
                "Request ids, tracing, metrics and access logs (off only to measure their cost)")
      ->envname(cli.Env("observability"));
  if (auto rc = cli.Parse(argc, argv)) return *rc;

  core::Router router;
  core::Pipeline pipeline(router);
  core::Readiness readiness;
  core::HttpClient client;
  obs::HttpObservability o11y({.access_log = access_log});
  if (observability) o11y.Install(router, pipeline, &client);
  core::AddHealthRoutes(router, readiness);

  router.Get("/hello", Hello);
  router.Get("/error", Fail);
  router.Post("/test",
              [c = &client, o = &test_options](Exchange& ex) { return TestHarness(c, o, ex); });

  return core::RunService(cli, pipeline, readiness, [&client](core::Server& server) {
    server.OnStopped([&client] { client.CloseIdle(); });
  });
}
