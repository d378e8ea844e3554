// POST /test, the endpoint the W3C trace-context conformance harness drives: each element of the
// body is a call {url, arguments} this service makes, POSTing `arguments` to `url` with the trace
// context passed on, answering with every call's status. An endpoint that makes the server call
// URLs a client names is an SSRF and amplification tool, so it is off unless --test-endpoint is
// given, and bounded when on: hosts from an allow-list only (plain names and addresses, ports
// 1..65535, parsed with Boost.URL), at most --test-max-calls calls, a deadline for the whole
// request (--test-timeout, each call gets what is left), and a nesting depth (a call to /test
// carries SD-Test-Depth; past --test-max-depth it is refused).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/http/app.hpp"

namespace obs {

inline constexpr std::string_view kTestDepthHeader = "SD-Test-Depth";

struct TraceTestOptions {
  bool enabled = false;
  std::size_t max_calls = 32;                                                  // per POST /test
  std::vector<std::string> allowed_hosts = {"127.0.0.1", "localhost", "::1"};  // SSRF guard
  std::chrono::milliseconds timeout{5000};  // the whole request, all calls together
  int max_depth = 4;                        // nested /test → /test → ... hops
};

class TraceTestEndpoint final : public core::Module {
 public:
  explicit TraceTestEndpoint(TraceTestOptions options = {}) : options_(std::move(options)) {}

  void AddFlags(core::ServiceCli& cli) override;
  // Mounts POST /test when enabled; calls go out through app.client(). Never fails.
  core::Result<void> Install(core::App& app) override;

  const TraceTestOptions& options() const { return options_; }

 private:
  TraceTestOptions options_;
};

}  // namespace obs
