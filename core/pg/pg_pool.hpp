// PostgreSQL from coroutines: a bounded pool of libpq connections driven by libpq's non-blocking
// API on Asio, so a query never blocks a network thread — while it runs, the thread serves others.
//
// Design. libpq encodes, parses and speaks the protocol; Asio only waits for the socket to become
// readable or writable (PQsendQueryParams, PQflush, PQconsumeInput, PQisBusy, PQgetResult; the
// connect likewise with PQconnectStart/PQconnectPoll). A connection belongs to no thread: a lease
// wraps its socket on the *caller's* executor for as long as the caller holds it, so the pool
// serves every io_context of a reuseport server (and strands of a shared one) with one set of
// connections. Leases are exclusive — one statement at a time per connection — and the pool is
// bounded (max_connections); callers beyond it wait, bounded too (max_waiters, acquire_timeout).
// A connection that breaks, times out, or is returned inside a transaction is closed, not reused.
// After a failed connect, acquires fail fast for a backoff period instead of hammering a dead
// server. The road not taken: a thread pool running blocking libpq calls (two thread hops per
// query, and a thread per concurrent query) — see 02's README for the measurement.
//
//   ```cpp
//   core::pg::PgPool pool({.conninfo = "host=127.0.0.1 port=5432 dbname=app user=app"});
//   // A link's URL, or nullopt. `code` by value: a reference could dangle across co_await.
//   core::Task<core::Result<std::optional<std::string>>> FindUrl(std::string code) {
//     // Not `Query(sql, {code})`: g++ 12 refuses a braced list inside a co_await expression.
//     std::vector<core::pg::PgParam> params{code};
//     auto r = co_await pool.Query("SELECT url FROM links WHERE code = $1", std::move(params));
//     if (!r) co_return r.error();  // kUnavailable or kTimeout: the database, not the statement
//     if (!r->ok()) co_return core::Error(core::Code::kInternal, r->error());  // r->sqlstate()
//     if (r->rows() == 0) co_return std::nullopt;
//     co_return std::string(r->Text(0, 0));
//   }
//   ```
//
// Host names in conninfo are resolved by libpq synchronously: give an IP address (host=10.0.0.5)
// or hostaddr= so that connects never block.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/async/task.hpp"
#include "core/base/error.hpp"
#include "core/base/mutex.hpp"
#include "core/pg/pg_result.hpp"

namespace core::pg {

struct PgPoolOptions {
  std::string conninfo;                             // libpq keyword/value string or URI
  std::size_t max_connections = 8;                  // open connections, at most
  std::size_t max_waiters = 1024;                   // callers waiting for a connection, at most
  std::chrono::milliseconds acquire_timeout{2000};  // longest wait for a free connection
  std::chrono::milliseconds connect_timeout{2000};  // one connect attempt
  std::chrono::milliseconds query_timeout{5000};    // a statement's deadline when none is given
  // After a failed connect, acquires fail at once (kUnavailable) for this long, doubling per
  // consecutive failure up to the max; reset by a successful connect.
  std::chrono::milliseconds reconnect_backoff{100};
  std::chrono::milliseconds reconnect_backoff_max{2000};
};

struct PgPoolStats {
  std::uint64_t queries = 0;           // statements sent
  std::uint64_t sql_errors = 0;        // statements the server refused (a result with !ok())
  std::uint64_t timeouts = 0;          // statements or acquires that ran out of time
  std::uint64_t unavailable = 0;       // acquires refused: closed, backing off, too many waiting
  std::uint64_t connects = 0;          // successful connects
  std::uint64_t connect_failures = 0;  // failed connect attempts
  std::uint64_t discarded = 0;         // connections closed because broken, timed out or dirty
  std::uint64_t waits = 0;             // acquires that had to wait for a connection
  std::size_t open = 0;                // connections open or being opened now
  std::size_t idle = 0;                // of which idle
};

// A text parameter, or NULL.
using PgParam = std::optional<std::string>;

// One asynchronous notification (NOTIFY channel, 'payload') received on a LISTENing connection.
struct PgNotification {
  std::string channel;
  std::string payload;
};

class PgPool {
 public:
  class Lease;

  explicit PgPool(PgPoolOptions options);
  // Close()s.
  ~PgPool();
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  // Runs one statement ($1, $2... parameters in text form; without parameters, also several
  // statements separated by ";") on a pooled connection and returns its
  // result; a statement the server refused is a result with ok() false, not an Error.
  // Errors: kUnavailable (cannot connect, backing off, pool closed or too many waiting, connection
  // lost mid-statement), kTimeout (no free connection within acquire_timeout, or no answer within
  // `timeout`: the statement may or may not have run). `timeout` zero = options.query_timeout.
  // Thread-safe. The caller's executor must run one handler at a time (an io_context run by one
  // thread, or a strand) and outlive the call.
  Task<Result<PgResult>> Query(std::string sql, std::vector<PgParam> params = {},
                               std::chrono::milliseconds timeout = std::chrono::milliseconds(0));

  // A connection for several statements in a row (a transaction: BEGIN ... COMMIT). Errors as
  // Query's acquire part. The lease returns the connection when destroyed; one left inside a
  // transaction, broken or timed out is closed instead.
  Task<Result<Lease>> Acquire();

  // Closes idle connections and refuses new acquires (kUnavailable); leased connections close when
  // returned; waiting callers fail. Thread-safe, idempotent.
  void Close();

  PgPoolStats Stats() const;
  const PgPoolOptions& options() const noexcept { return options_; }

  struct Conn;
  struct Waiter;

 private:
  void Release(std::unique_ptr<Conn> conn, bool reusable);
  // Pops idle connections until one is still alive (dead ones are closed).
  bool TakeLiveIdle(std::unique_ptr<Conn>& out) SD_REQUIRES(mu_);
  Task<Result<std::unique_ptr<Conn>>> Connect();
  void NoteConnectFailure() SD_REQUIRES(mu_);

  const PgPoolOptions options_;
  // Also guards the Waiters queued in waiters_ (their conn, may_connect and failure).
  mutable Mutex mu_;
  std::vector<std::unique_ptr<Conn>> idle_ SD_GUARDED_BY(mu_);
  std::deque<std::shared_ptr<Waiter>> waiters_ SD_GUARDED_BY(mu_);
  std::size_t open_ SD_GUARDED_BY(mu_) = 0;  // idle + leased + connecting
  bool closed_ SD_GUARDED_BY(mu_) = false;
  std::chrono::steady_clock::time_point backoff_until_ SD_GUARDED_BY(mu_){};
  int consecutive_connect_failures_ SD_GUARDED_BY(mu_) = 0;
  std::string last_connect_error_ SD_GUARDED_BY(mu_);
  PgPoolStats stats_ SD_GUARDED_BY(mu_);
};

// Exclusive use of one connection. Move-only; not thread-safe (one coroutine at a time).
class PgPool::Lease {
 public:
  Lease(Lease&& other) noexcept;
  Lease& operator=(Lease&&) = delete;
  ~Lease();

  // Query on this connection; same contract as PgPool::Query. After an Error the connection is
  // unusable and every later call fails with kUnavailable.
  Task<Result<PgResult>> Query(std::string sql, std::vector<PgParam> params = {},
                               std::chrono::milliseconds timeout = std::chrono::milliseconds(0));

  // After a LISTEN on this connection: waits up to `timeout` for notifications and returns those
  // that arrived (empty: none in time, not an error). Errors: kUnavailable (the connection is
  // lost; the lease is then unusable). Same executor rule as Query.
  Task<Result<std::vector<PgNotification>>> WaitForNotifications(std::chrono::milliseconds timeout);

 private:
  friend class PgPool;
  Lease(PgPool* pool, std::unique_ptr<Conn> conn);

  PgPool* pool_;
  std::unique_ptr<Conn> conn_;
};

// Renders a PostgreSQL array literal ({"a","b\"c"}) of text values, for unnest($1::text[]):
// one round trip for a whole batch of rows.
std::string PgTextArray(const std::vector<std::string>& values);

// Runs `script` — statements separated by ";", no parameters: a schema, written to be run again
// (CREATE ... IF NOT EXISTS) — and says only whether it worked. Errors: Query's, and a statement
// the server refused as StatementError (pg_result.hpp). `pool` must outlive the task.
//
//   core::Task<core::Result<void>> Migrate() { return core::pg::RunScript(pool_, kSchema); }
Task<Result<void>> RunScript(PgPool& pool, std::string script);

}  // namespace core::pg
