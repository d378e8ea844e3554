// The HTTP/1.1 server every service runs on: Boost.Beast's parser, Asio C++20 coroutines, one
// coroutine per connection.
//
// Design: each connection is a read → parse → handle → write loop driven by hand (Beast's parser is
// fed from our buffer), so pipelined requests are answered in order and their responses batched
// into one write. Timeouts cost nothing per request: a per-connection watchdog timer sleeps until
// the current deadline and only then checks it (the Asio "timeouts" example), instead of re-arming
// a timer — and a timerfd syscall — on every read and write as beast::tcp_stream does. Limits
// (ServerOptions) are enforced before any handler runs; bad input gets 400/408/413/431 and the
// connection closed. Shutdown() stops accepting, lets in-flight requests finish within
// shutdown_timeout, closes idle keep-alive connections, and makes Run() return.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "core/base/error.hpp"
#include "core/http/middleware.hpp"
#include "core/http/server_options.hpp"

namespace core {

class Server {
 public:
  // `pipeline` must outlive the server.
  Server(ServerOptions options, const Pipeline& pipeline);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds every worker's socket. Errors: kInvalidArgument for a bad host or a port in use.
  Result<void> Listen();
  // The bound port (useful when options.port was 0). Valid after Listen().
  std::uint16_t port() const noexcept { return port_; }

  // Shuts down gracefully on SIGINT or SIGTERM. Call before Run().
  void HandleSignals();
  // Runs the worker threads (the calling thread is one of them) until shutdown completes.
  void Run();
  // Begins graceful shutdown. Thread-safe and idempotent.
  void Shutdown();
  // Called once when shutdown begins (stop background work here). Register before Run().
  void OnShutdown(std::function<void()> hook) { shutdown_hooks_.push_back(std::move(hook)); }
  // Called once after the worker threads have stopped, while the io_contexts still exist: release
  // I/O objects bound to them here (an HttpClient's pooled connections: `client.CloseIdle()`).
  void OnStopped(std::function<void()> hook) { stopped_hooks_.push_back(std::move(hook)); }

  bool draining() const noexcept;
  std::size_t active_connections() const noexcept;

  struct State;  // shared with connections (server.cpp, connection.cpp)

 private:
  struct Worker;

  ServerOptions options_;
  std::shared_ptr<State> state_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::function<void()>> shutdown_hooks_;
  std::vector<std::function<void()>> stopped_hooks_;
  std::uint16_t port_ = 0;
  std::once_flag shutdown_once_;
};

}  // namespace core
