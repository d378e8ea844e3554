// The outbound HTTP/1.1 client for services that call others (gateway, reliability demos, trace
// propagation), in the same coroutine style as the server.
//
// Design: a keep-alive connection pool per (io_context, upstream) so a reused socket stays on the
// thread that uses it; a deadline for the connect and one for the whole exchange; a bound on the
// response size (a misbehaving upstream must not exhaust our memory). A pooled connection the
// upstream has meanwhile closed is detected before reuse (a MSG_PEEK probe), and an idempotent
// request that fails on a reused connection before any response byte is retried once on a fresh
// one — the race every keep-alive client has (Go's net/http does the same).
// Outbound hooks run on every request (05 uses one to pass on X-Request-ID and traceparent).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/base/error.hpp"
#include "core/http/exchange.hpp"
#include "core/http/http_types.hpp"

namespace core {

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{2000};   // TCP connect (after name resolution)
  std::chrono::milliseconds timeout{10000};          // whole exchange, unless a call says otherwise
  std::size_t max_response_bytes = 8 * 1024 * 1024;  // body; more → kBadGateway
  std::size_t max_response_header_bytes = 64 * 1024;
  std::size_t max_idle_per_upstream = 64;         // pooled keep-alive connections
  std::chrono::milliseconds idle_timeout{30000};  // pooled connections older than this are closed
};

// Where to send: host (name or address) and port.
struct Upstream {
  std::string host;
  std::uint16_t port = 80;
};

// Splits "http://host:port/path?q" into upstream and target. Only http is supported.
Result<std::pair<Upstream, std::string>> ParseHttpUrl(std::string_view url);

class HttpClient {
 public:
  // Called on every outbound request with the inbound exchange that caused it (or null).
  using OutboundHook = std::function<void(const Exchange* parent, Request& outbound)>;

  explicit HttpClient(ClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Registers a hook; call during start-up, before any Send.
  void AddOutboundHook(OutboundHook hook);

  // Sends `request` to `upstream` and returns the response. Sets Host and Content-Length; leaves
  // other headers as given. `timeout` zero means options.timeout. Thread-safe; the coroutine runs
  // on the caller's executor. Errors: kTimeout (connect or exchange deadline passed), kUnavailable
  // (cannot resolve or connect, or the connection broke), kBadGateway (malformed or oversized
  // response).
  Task<Result<Response>> Send(Upstream upstream, Request request, const Exchange* parent = nullptr,
                              std::chrono::milliseconds timeout = std::chrono::milliseconds(0));

  // Closes pooled connections (tests and shutdown).
  void CloseIdle();
  // Number of pooled idle connections (all upstreams).
  std::size_t idle_connections() const;

  const ClientOptions& options() const { return options_; }

 private:
  class Pool;
  ClientOptions options_;
  std::unique_ptr<Pool> pool_;
  std::vector<OutboundHook> hooks_;
};

}  // namespace core
