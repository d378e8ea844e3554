// The TCP server every protocol of the project runs on — HTTP, memcached's text protocol, and
// beanstalkd's: worker threads, listening sockets, the accept loop, the connection cap, running
// out of file descriptors, draining and shutdown. A protocol only supplies connections
// (tcp_connection.hpp), so these are written, tested and hardened once.
//
// Design: `threads` io_contexts each with its own listening socket (SO_REUSEPORT: the kernel
// spreads connections, a connection never leaves its thread, no locks — nginx's model), or one
// io_context run by every thread with a strand per connection (`IoModel::kShared`). At the
// connection cap an idle connection (between requests) is closed to make room, as nginx reuses
// keep-alive connections; only when none is idle is the newcomer refused, with the protocol's own
// busy reply, counted and logged at most once a second. Out of descriptors (EMFILE), a spare
// descriptor is given up to accept and refuse the waiting connection instead of spinning on the
// error. Shutdown stops accepting, closes idle connections, lets busy ones finish within
// `shutdown_timeout`, then abandons the rest.
//
// A whole protocol is a connection's Serve loop and a factory; the server does the rest:
//
//   ```cpp
//   #include "core/net/tcp_connection.hpp"
//   class EchoConnection final : public core::TcpConnection {
//    public:
//     using TcpConnection::TcpConnection;
//
//    private:
//     core::Task<void> Serve() override {
//       char buf[4096];
//       std::string out;
//       for (;;) {
//         if (closing_soon()) co_return;
//         SetPhase(Phase::kIdle, Clock::now() + std::chrono::seconds(60));  // the idle timeout
//         const std::size_t n = co_await ReadSome(core::net::buffer(buf));
//         if (n == 0) co_return;  // the peer left, an error, or the deadline passed
//         out.assign(buf, n);
//         const bool sent = co_await Flush(out, Clock::now() + std::chrono::seconds(5));
//         if (!sent) co_return;
//       }
//     }
//   };
//   class EchoProtocol final : public core::TcpProtocol {
//    public:
//     std::shared_ptr<core::TcpConnection> MakeConnection(core::net::ip::tcp::socket s) override {
//       return std::make_shared<EchoConnection>(std::move(s));
//     }
//     std::string_view RefusalBytes() const override { return "busy\r\n"; }
//   };
//   int main() {
//     EchoProtocol echo;
//     core::TcpServer server({.name = "echo", .port = 7007, .threads = 2}, echo);
//     if (auto listening = server.Listen(); !listening) return 2;
//     server.HandleSignals();
//     server.Run();  // until SIGINT or SIGTERM, then a graceful drain
//     return 0;
//   }
//   ```
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "core/async/task.hpp"
#include "core/base/error.hpp"

namespace core {

class TcpConnection;

// How worker threads share the work (measured in core/README.md).
enum class IoModel {
  kReusePort,  // one io_context + listening socket per thread (SO_REUSEPORT); no locks, no strands
  kShared,     // one io_context run by every thread, one strand per connection
};

struct TcpServerOptions {
  std::string name = "tcp";        // names the server in log lines ("http", "memcached")
  std::string host = "127.0.0.1";  // address or name to listen on
  std::uint16_t port = 0;          // 0 = any free port
  int threads = 1;                 // worker threads
  IoModel io_model = IoModel::kReusePort;
  int backlog = 1024;                   // listen(2) queue
  std::size_t max_connections = 10000;  // beyond: reclaim an idle one, or refuse
  bool reclaim_idle = true;  // at the cap, close an idle connection for the newcomer (nginx)
  std::chrono::milliseconds shutdown_timeout{10'000};  // busy connections get this long to finish
};

// What a protocol plugs into the server. Thread-safe: called from every worker thread.
class TcpProtocol {
 public:
  virtual ~TcpProtocol() = default;
  // The connection serving `socket` (non-blocking, TCP_NODELAY set); the server starts it.
  virtual std::shared_ptr<TcpConnection> MakeConnection(net::ip::tcp::socket socket) = 0;
  // Sent, without reading anything, to a connection refused because every slot is busy or the
  // server is draining: the cheapest honest answer (reading first would let a flood pin memory).
  virtual std::string_view RefusalBytes() const = 0;
  // Told of every refusal (the cap with nothing idle to reclaim, draining, out of descriptors).
  virtual void OnRefused() {}
  // Accepting stopped for want of a descriptor (false), or works again (true).
  virtual void OnAccepting(bool accepting) { (void)accepting; }
  // Told the bound port once Listen() has bound it (useful when the options said 0).
  virtual void OnListening(std::uint16_t port) { (void)port; }
};

// Counters a service exposes as metrics. Monotonic except `active`.
struct TcpServerStats {
  std::uint64_t accepted = 0;      // connections served
  std::uint64_t refused = 0;       // refused at the cap (none idle) or while draining
  std::uint64_t reclaimed = 0;     // idle connections closed to make room at the cap
  std::uint64_t fd_exhausted = 0;  // accepts that failed for want of a file descriptor
  std::uint64_t active = 0;        // open connections now
};

class TcpServer {
 public:
  // `protocol` must outlive the server.
  TcpServer(TcpServerOptions options, TcpProtocol& protocol);
  ~TcpServer();
  TcpServer(const TcpServer&) = delete;
  TcpServer& operator=(const TcpServer&) = delete;

  // Raises the open-file limit toward its hard limit (warning when `max_connections` cannot be
  // reached) and binds every worker's socket. Errors: kInvalidArgument for a bad host or a port
  // in use.
  Result<void> Listen();
  // The bound port (useful when options.port was 0). Valid after Listen().
  std::uint16_t port() const noexcept { return port_; }

  // Shuts down gracefully on SIGINT or SIGTERM. Call before Run()/Start().
  void HandleSignals();
  // Runs the worker threads (the calling thread is one of them) until shutdown completes.
  void Run();
  // Runs the worker threads in the background; Join() waits for them.
  void Start();
  void Join();
  // Begins graceful shutdown. Thread-safe and idempotent.
  void Shutdown();
  // Called once when shutdown begins (stop background work here). Register before Run().
  void OnShutdown(std::function<void()> hook);
  // Called once after the worker threads have stopped, while the io_contexts still exist: release
  // I/O objects bound to them here.
  void OnStopped(std::function<void()> hook);

  bool draining() const noexcept;
  std::size_t active_connections() const noexcept;
  TcpServerStats stats() const noexcept;

  struct State;   // shared with connections (tcp_server_state.hpp)
  struct Worker;  // per io_context: the context, its acceptor (tcp_server.cpp)

 private:
  void RunWorkers(bool include_calling_thread);
  void FinishRun();

  TcpServerOptions options_;
  std::shared_ptr<State> state_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
  std::vector<std::function<void()>> shutdown_hooks_;
  std::vector<std::function<void()>> stopped_hooks_;
  std::uint16_t port_ = 0;
  std::once_flag shutdown_once_;
  std::once_flag join_once_;
};

}  // namespace core
