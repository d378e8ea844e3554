// Test and benchmark helpers for PostgreSQL: a real server started by the test on a free loopback
// port in a temporary directory (initdb, then the postgres binary from Debian's postgresql
// package), stopped and removed by the destructor; a schema per test on a server shared by the
// tests of a binary; and a way to run one coroutine to completion.
//
// PostgreSQL refuses to run as root, and CI runs as root: then the data directory is given to
// `nobody` and initdb and postgres drop to that user (setgid/setuid in the child before exec).
// Coming up is waited for by polling PQping with a bound, never a fixed sleep. The server trusts
// local connections (user "sd", no password): it listens on 127.0.0.1 only, for one test.
#pragma once

#include <sys/types.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/async/task.hpp"
#include "core/base/error.hpp"

namespace core::pg::testing {

// Where Debian's postgresql package puts the server binaries (the newest major found wins).
std::string PostgresBinDir();

struct PgTestServerOptions {
  // fsync off makes schema set-up and tests several times faster; benchmarks and the durability
  // test turn it on.
  bool fsync = false;
  int max_connections = 100;
};

class PgTestServer {
 public:
  // initdb + start; ok() says whether it accepted connections within 60 s (error() says why not).
  explicit PgTestServer(PgTestServerOptions options = {});
  // Stops the server (immediate shutdown) and removes the directory.
  ~PgTestServer();
  PgTestServer(const PgTestServer&) = delete;
  PgTestServer& operator=(const PgTestServer&) = delete;

  bool ok() const noexcept { return pid_ > 0; }
  const std::string& error() const noexcept { return error_; }
  std::uint16_t port() const noexcept { return port_; }
  // "host=127.0.0.1 port=N dbname=postgres user=sd connect_timeout=5"
  std::string conninfo() const;

  // Immediate shutdown (SIGQUIT, then SIGKILL after 10 s): clients see their connections drop.
  // Idempotent.
  void Stop();
  // Starts it again on the same port with the same data; false if it does not come up.
  bool Start();

 private:
  bool InitDb();

  PgTestServerOptions options_;
  std::string dir_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::string error_;
};

// The PgTestServer all tests of one binary share, started on first use (one initdb per binary,
// not per test); each test takes a schema of its own (NewSchema). Check ok() before use.
PgTestServer& SharedPgTestServer();

// Creates an empty schema on `server`, named `prefix` + pid + a counter, and returns a conninfo
// whose sessions work in it (search_path), so that tests sharing one server never see each
// other's tables. Errors: kUnavailable (the server cannot be reached), kInternal (CREATE SCHEMA
// refused).
Result<std::string> NewSchema(PgTestServer& server, std::string_view prefix);

// Runs `task` on a fresh io_context until it completes and returns its result; throws
// std::runtime_error if it has not completed after `limit` (a hang fails the test, it does not
// block it). Work completed by other threads (a store's own threads) is awaited too.
template <class T>
T RunToCompletion(core::Task<T> task, std::chrono::seconds limit = std::chrono::seconds(60)) {
  boost::asio::io_context ioc;
  auto future = boost::asio::co_spawn(ioc, std::move(task), boost::asio::use_future);
  ioc.run_for(limit);
  if (future.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    throw std::runtime_error("RunToCompletion: the task did not complete in time");
  }
  return future.get();
}

}  // namespace core::pg::testing
