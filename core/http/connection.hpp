// One client connection of the server (internal to core/; services never see it).
//
// Two coroutines share the connection, on the socket's executor (a strand when threads share an
// io_context): `Serve` reads, parses, runs the pipeline and writes; `Watchdog` sleeps until the
// current deadline and cancels the socket's pending operation when it has passed. Moving a deadline
// later is a plain store — the watchdog re-arms only when it wakes — so the common path of a
// keep-alive request costs no timer operation at all.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/http/request_reader.hpp"
#include "core/http/server.hpp"

namespace core {

class Connection;

struct Server::State {
  State(ServerOptions o, const Pipeline& p) : options(std::move(o)), pipeline(p) {}

  const ServerOptions options;
  const Pipeline& pipeline;
  std::atomic<bool> draining{false};
  std::atomic<std::size_t> active{0};

  // Live connections, so shutdown can reach the idle ones. Touched once per connection, not per
  // request, so a mutex costs nothing measurable here.
  std::mutex mu;
  std::unordered_map<std::uint64_t, std::weak_ptr<Connection>> connections;
  std::uint64_t next_id = 0;
  std::function<void()> on_drained;  // runs when draining and the last connection has closed
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using tcp = net::ip::tcp;
  using Clock = std::chrono::steady_clock;

  Connection(tcp::socket socket, std::shared_ptr<Server::State> state);
  ~Connection();

  // Registers the connection and starts its two coroutines.
  void Start();
  // Thread-safe: from now on, close when idle and answer in-flight requests with Connection: close.
  void Drain();

 private:
  enum class Phase { kIdle, kHeader, kBody, kHandling, kWriting, kLinger, kClosed };

  static Task<void> Serve(std::shared_ptr<Connection> self);
  static Task<void> Watchdog(std::shared_ptr<Connection> self);

  Task<void> Handle();
  Task<bool> Flush();
  Task<bool> ReadMore();
  void AppendError(const Error& error);
  Task<void> Linger();
  void SetPhase(Phase phase);
  void Close();

  tcp::socket socket_;
  std::shared_ptr<Server::State> state_;
  const ServerOptions& options_;
  std::uint64_t id_ = 0;
  net::ip::address peer_address_;
  std::uint16_t peer_port_ = 0;

  RequestReader reader_;
  std::string out_;
  bool sent_continue_ = false;
  bool close_after_write_ = false;
  bool draining_ = false;  // the executor's copy of state_->draining

  net::steady_timer watchdog_;
  Phase phase_ = Phase::kIdle;
  Clock::time_point deadline_;
  Clock::time_point phase_start_;
  Clock::time_point armed_;  // when the watchdog will next wake
  bool timed_out_ = false;
};

}  // namespace core
