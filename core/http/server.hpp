// The HTTP/1.1 server every service runs on: Boost.Beast's parser driven by hand, Asio C++20
// coroutines, one coroutine per connection, on the shared TcpServer (core/net/tcp_server.hpp:
// threads, accept loop, connection cap with idle reclaim, descriptors, shutdown).
//
// Design: each connection is a read → parse → handle → write loop (connection.hpp), so pipelined
// requests are answered in order and their responses batched into one write. Limits
// (ServerOptions) are enforced before any handler runs; bad input gets 400/408/413/431 and the
// connection closed. Shutdown() stops accepting, lets in-flight requests finish within
// shutdown_timeout, closes idle keep-alive connections, and makes Run() return.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "core/base/byte_budget.hpp"
#include "core/base/error.hpp"
#include "core/http/middleware.hpp"
#include "core/http/server_options.hpp"
#include "core/net/tcp_server.hpp"

namespace core {

class Server {
 public:
  // `pipeline` must outlive the server.
  Server(ServerOptions options, const Pipeline& pipeline);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds every worker's socket. Errors: kInvalidArgument for a bad host or a port in use.
  Result<void> Listen() { return tcp_.Listen(); }
  // The bound port (useful when options.port was 0). Valid after Listen().
  std::uint16_t port() const noexcept { return tcp_.port(); }

  // Shuts down gracefully on SIGINT or SIGTERM. Call before Run().
  void HandleSignals() { tcp_.HandleSignals(); }
  // Runs the worker threads (the calling thread is one of them) until shutdown completes.
  void Run() { tcp_.Run(); }
  // Begins graceful shutdown. Thread-safe and idempotent.
  void Shutdown() { tcp_.Shutdown(); }
  // Called once when shutdown begins (stop background work here). Register before Run().
  void OnShutdown(std::function<void()> hook) { tcp_.OnShutdown(std::move(hook)); }
  // Called once after the worker threads have stopped, while the io_contexts still exist: release
  // I/O objects bound to them here (an HttpClient's pooled connections: `client.CloseIdle()`).
  void OnStopped(std::function<void()> hook) { tcp_.OnStopped(std::move(hook)); }

  bool draining() const noexcept { return tcp_.draining(); }
  std::size_t active_connections() const noexcept { return tcp_.active_connections(); }
  // Accepted, refused, reclaimed connections (for metrics).
  TcpServerStats connection_stats() const noexcept { return tcp_.stats(); }
  // Request body bytes held now, the limit, and bodies refused for want of it (for metrics).
  const ByteBudget& body_budget() const noexcept;

 private:
  class Protocol;
  ServerOptions options_;
  std::unique_ptr<Protocol> protocol_;
  TcpServer tcp_;
};

}  // namespace core
