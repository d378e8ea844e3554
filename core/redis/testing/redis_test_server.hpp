// Test and benchmark helper for Redis clients: a real redis-server on a free loopback port,
// started by the test and killed by its destructor. (Running a coroutine to completion is
// core/async/testing/run_task.hpp's job.)
//
// redis-server cannot listen on port 0, so a free port is found by binding port 0, reading it and
// closing it, and a start that loses the race for it is retried on another. The server keeps no
// data on disk (--save '' --appendonly no) and allows DEBUG from loopback (for DEBUG SLEEP, the
// way tests make Redis slow). Coming up is waited for by polling PING with a bound, not a sleep.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

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

}  // namespace core::testing
