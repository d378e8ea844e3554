// Test and benchmark helpers for the Redis store: a real redis-server on a free loopback port,
// started by the test and killed by its destructor, and a way to run one coroutine to completion.
//
// redis-server cannot listen on port 0, so a free port is found by binding port 0, reading it and
// closing it, and a start that loses the race for it is retried on another. The server keeps no
// data on disk (--save '' --appendonly no) and allows DEBUG from loopback (for DEBUG SLEEP, the
// way tests make Redis slow). Coming up is waited for by polling PING with a bound, not a sleep.
#pragma once

#include <sys/types.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>

#include "core/async/task.hpp"

namespace core::testing {

inline constexpr const char* kRedisServerBinary = "/usr/bin/redis-server";

// A free TCP port on 127.0.0.1 at the time of the call (0 if none could be found).
std::uint16_t FreeLoopbackPort();

// One redis-server child process on 127.0.0.1. Not thread-safe.
class RedisTestServer {
 public:
  // Starts the server; ok() says whether it answered PING within 10 s (error() says why not).
  RedisTestServer();
  // Kills the server.
  ~RedisTestServer();
  RedisTestServer(const RedisTestServer&) = delete;
  RedisTestServer& operator=(const RedisTestServer&) = delete;

  bool ok() const noexcept { return pid_ > 0; }
  const std::string& error() const noexcept { return error_; }
  std::uint16_t port() const noexcept { return port_; }

  // SIGKILL and reap (no shutdown: a crash, as far as clients can tell). Idempotent.
  void Kill();
  // Starts it again on the same port (with no data); false if it does not come up.
  bool Restart();

 private:
  bool Launch(std::uint16_t port);

  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::string error_;
};

// Runs `task` on `ioc` until it completes and returns its result. Bounded: throws
// std::runtime_error if nothing happens for `idle_limit` (a hang fails the test, it does not
// block it). Precondition: nothing else runs `ioc` meanwhile.
template <class T>
T RunTask(boost::asio::io_context& ioc, core::Task<T> task,
          std::chrono::seconds idle_limit = std::chrono::seconds(30)) {
  std::optional<T> out;
  std::exception_ptr error;
  boost::asio::co_spawn(ioc, std::move(task), [&](std::exception_ptr e, T value) {
    if (e) {
      error = e;
    } else {
      out.emplace(std::move(value));
    }
  });
  ioc.restart();
  while (!out && !error) {
    if (ioc.run_one_for(idle_limit) == 0) throw std::runtime_error("RunTask: nothing happened");
  }
  if (error) std::rethrow_exception(error);
  return std::move(*out);
}

}  // namespace core::testing
