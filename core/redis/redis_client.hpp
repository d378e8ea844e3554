// An async Redis client on Asio coroutines, built for the rate limiter's shared store: short
// deadlines, pipelining, and failing fast when Redis is away.
//
// Design: hiredis only encodes commands and parses RESP (no hiredis I/O); the socket is Asio's.
// One connection per io_context (as core::HttpClient keys its pool), so a server running one
// io_context per thread gets one connection per thread and never shares a socket between threads.
// Every command is pipelined: it is queued behind the ones in flight and replies are matched in
// FIFO order. A command whose deadline passes completes with kTimeout but keeps its FIFO slot (the
// reply will still come and must be skipped); a broken connection fails everything in flight with
// kUnavailable; a failed connect makes later commands fail fast for a backoff period instead of
// hammering a dead Redis. All of a connection's state lives behind its own strand, so it is also
// correct when many threads run one shared io_context.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/async/task.hpp"
#include "core/base/error.hpp"
#include "core/base/mutex.hpp"
#include "core/redis/redis_resp.hpp"

namespace core {

struct RedisClientOptions {
  std::string host = "127.0.0.1";  // an IP address or a name (resolved on every connect)
  std::uint16_t port = 6379;
  // A command's deadline when Command() is called without one. A rate limiter would rather
  // decide without Redis than make a request wait: keep this short.
  std::chrono::milliseconds command_timeout{50};
  std::chrono::milliseconds connect_timeout{200};
  // The oldest command in flight has had no reply for this long: the connection is considered
  // dead (a hung or partitioned Redis sends no RST), dropped and re-established.
  std::chrono::milliseconds stall_timeout{2000};
  // After a failed connect, commands fail at once (kUnavailable) for this long; doubles per
  // consecutive failure up to the max, resets on success. 0 = retry on every command.
  std::chrono::milliseconds reconnect_backoff{100};
  std::chrono::milliseconds reconnect_backoff_max{1000};
  // Commands queued or in flight per connection, timed-out ones included (their replies are still
  // owed); beyond it commands fail at once with kUnavailable.
  std::size_t max_in_flight = 4096;
  std::size_t max_reply_bytes = 1 << 20;
  std::size_t max_reply_elements = 1 << 16;
};

// Counters since construction (all connections).
struct RedisClientStats {
  std::uint64_t commands = 0;          // Command() calls
  std::uint64_t replies = 0;           // replies received (including ones for timed-out commands)
  std::uint64_t timeouts = 0;          // commands completed with kTimeout
  std::uint64_t unavailable = 0;       // commands completed with kUnavailable
  std::uint64_t connects = 0;          // successful connects
  std::uint64_t connect_failures = 0;  // failed connect attempts (refused, timed out, resolve)
  std::uint64_t disconnects = 0;       // established connections lost (EOF, reset, stall, ...)
  std::uint64_t protocol_errors = 0;   // replies that could not be parsed or were over a limit
};

class RedisClient {
 public:
  explicit RedisClient(RedisClientOptions options = {});
  // Calls Close().
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Sends one command (e.g. {"SET", "k", "v"}) on this io_context's connection (connecting first
  // if needed) and returns its reply. A Redis error reply ("-ERR ...") is a reply, not an error:
  // check RedisReply::IsError(). `timeout` zero means options.command_timeout.
  // Errors: kTimeout (no reply before the deadline), kUnavailable (cannot connect, in the backoff
  // period after a failed connect, connection lost or unparsable reply, too many in flight, or the
  // client is closed), kInvalidArgument (empty args).
  // Thread-safe; runs on the caller's executor, which must belong to an io_context (or another
  // execution context) that outlives the client or Close().
  core::Task<core::Result<RedisReply>> Command(
      std::vector<std::string> args,
      std::chrono::milliseconds timeout = std::chrono::milliseconds(0));

  // Closes every connection: commands in flight fail with kUnavailable and later ones too. An
  // open connection keeps its io_context busy (a pending read), so call this at shutdown, while
  // the io_contexts still exist, for their run() to return. Thread-safe; idempotent.
  void Close();

  RedisClientStats Stats() const;
  // Connections created so far and not closed (one per io_context that has sent a command).
  std::size_t connections() const;
  const RedisClientOptions& options() const noexcept;

 private:
  class Connection;
  struct Shared;

  std::shared_ptr<Connection> ConnectionFor(const core::net::any_io_executor& executor);

  std::shared_ptr<Shared> shared_;  // options and counters, shared with connections
  mutable Mutex mu_;                // a short lookup per command
  std::vector<std::pair<const void*, std::shared_ptr<Connection>>> connections_ SD_GUARDED_BY(mu_);
  bool closed_ SD_GUARDED_BY(mu_) = false;
};

}  // namespace core
