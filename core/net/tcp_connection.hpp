// One client connection of a TcpServer, whatever the protocol: a protocol derives from it and
// writes `Serve`, its read → parse → answer loop, with these as its tools.
//
// Two coroutines share the connection, on the socket's executor (a strand when threads share an
// io_context): the protocol's `Serve`, and a watchdog that sleeps until the current deadline and
// cancels the socket's pending operation when it has passed. Moving a deadline later is a plain
// store — the watchdog re-arms only when it wakes — so a keep-alive request costs no timer
// operation at all: `beast::tcp_stream` arms a timer around every read and write instead (two
// timer-queue operations, often a timerfd_settime syscall, per request). A connection between
// requests is `kIdle`: draining closes it at once, and a server at its cap may reclaim it.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/async/task.hpp"
#include "core/net/tcp_server.hpp"

namespace core {

class TcpConnection : public std::enable_shared_from_this<TcpConnection> {
 public:
  using tcp = net::ip::tcp;
  using Clock = std::chrono::steady_clock;

  explicit TcpConnection(tcp::socket socket);
  virtual ~TcpConnection();
  TcpConnection(const TcpConnection&) = delete;
  TcpConnection& operator=(const TcpConnection&) = delete;

  // The server's side (tcp_server.cpp): registers the connection and starts its coroutines.
  void Start(std::shared_ptr<TcpServer::State> server);
  // Thread-safe: from now on the protocol sees closing_soon(); an idle connection closes at once.
  void Drain();
  // Thread-safe: the server is at its cap and needs this connection's slot. A connection that
  // looks idle (LooksIdle) is asked to close at its next idle moment — at once if it is idle now,
  // after the request in progress otherwise. False when it does not look idle, or was asked
  // already.
  bool Reclaim();
  // Between requests, as far as another thread can tell (a hint; Reclaim re-checks).
  bool LooksIdle() const noexcept { return idle_hint_.load(std::memory_order_relaxed); }

 protected:
  enum class Phase {
    kIdle,     // between requests: draining or reclaiming closes it; idle timeout applies
    kReading,  // a request has started arriving; its deadline applies
    kBusy,     // the protocol works (a handler runs): never timed out here, re-checked later
    kWriting,  // a write could not complete in place; the write deadline applies
    kLinger,   // half-closed after an error reply, draining the client's unread bytes
    kClosed,
  };

  // The protocol loop. Returning closes the connection. Exceptions are logged, then close.
  virtual Task<void> Serve() = 0;

  // Enters `phase` until `deadline` (for kBusy: when to look again). Cheap: a store, unless the
  // deadline is earlier than the one the watchdog sleeps toward.
  void SetPhase(Phase phase, Clock::time_point deadline);
  Phase phase() const noexcept { return phase_; }
  // The last read or write failed because its deadline passed (not because the peer left).
  bool timed_out() const noexcept { return timed_out_; }
  // The server is shutting down, or needs this connection's slot: finish what is in progress,
  // start nothing new (an HTTP response then says Connection: close).
  bool closing_soon() const noexcept { return draining_ || reclaimed_; }
  // The protocol has answered everything it read and will wait for the next request: from now on
  // the connection may be reclaimed (it becomes idle when the reply is written).
  void MarkReusable() noexcept { idle_hint_.store(true, std::memory_order_relaxed); }

  // Writes `out` and clears it: first in place (most replies fit the socket buffer, skipping the
  // async machinery entirely), the remainder asynchronously in phase kWriting until
  // `write_deadline`. False when the connection broke or timed out.
  Task<bool> Flush(std::string& out, Clock::time_point write_deadline);
  // Reads some bytes into `buffer`; 0 on error, end of stream, or a passed deadline.
  Task<std::size_t> ReadSome(net::mutable_buffer buffer);
  // After an error reply: half-close, then drain the client's unread bytes for a bounded time
  // and size, so the kernel does not answer them with a RST that destroys the reply before the
  // client reads it (nginx's lingering close).
  Task<void> Linger(std::chrono::milliseconds time, std::size_t max_bytes);

  tcp::socket& socket() noexcept { return socket_; }
  const net::ip::address& peer_address() const noexcept { return peer_address_; }
  std::uint16_t peer_port() const noexcept { return peer_port_; }

 private:
  static Task<void> Run(std::shared_ptr<TcpConnection> self);
  static Task<void> Watchdog(std::shared_ptr<TcpConnection> self);
  void Close();

  tcp::socket socket_;
  std::shared_ptr<TcpServer::State> server_;
  std::uint64_t id_ = 0;
  net::ip::address peer_address_;
  std::uint16_t peer_port_ = 0;

  net::steady_timer watchdog_;
  Phase phase_ = Phase::kIdle;
  Clock::time_point deadline_ = Clock::time_point::max();
  Clock::time_point armed_ = Clock::time_point::max();  // when the watchdog will next wake
  bool timed_out_ = false;
  bool draining_ = false;  // the executor's copy of the server's draining flag
  bool reclaimed_ = false;
  // Mirrors phase_ == kIdle for other threads looking for a connection to reclaim (relaxed:
  // only a hint; the executor re-checks before closing).
  std::atomic<bool> idle_hint_{false};
};

}  // namespace core
