// The beanstalkd protocol over TCP (--beanstalkd-port, default 11300): what lets existing
// beanstalkd clients (beaneater, pystalk, go-beanstalk) use sd-jobqueue unchanged.
//
// Transport only: beanstalk::Session is the protocol, and the project's TcpServer (core/net) does
// the rest — worker threads, accept loop, connection cap (beanstalkd clients keep long-lived
// connections, so idle ones are not reclaimed; refused ones read OUT_OF_MEMORY, beanstalkd's
// "try again later"), descriptors, shutdown. What this loop adds: a reserve that must wait parks
// the connection until the engine fires its Wakeup; replies that change durable state are held
// until the write-ahead log says they are durable (--fsync), so "INSERTED 7" is never sent for a
// job a crash could lose.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "03_job_queue_worker_mini/protocol/beanstalk_session.hpp"
#include "03_job_queue_worker_mini/wal/wal.hpp"
#include "core/base/error.hpp"
#include "core/net/tcp_server.hpp"

namespace jobs_server {

struct BeanstalkServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 11300;  // 0 = any free port
  int threads = 1;
  std::size_t max_connections = 4096;
  // A command line or job body that has started must arrive within this (beanstalkd has none:
  // a client that stops mid-body would hold its buffer forever).
  std::chrono::milliseconds read_timeout{10'000};
};

class BeanstalkServer {
 public:
  // `service` (and `log`, if given) must outlive the server.
  BeanstalkServer(beanstalk::Service& service, wal::Wal* log, BeanstalkServerOptions options);
  ~BeanstalkServer();
  BeanstalkServer(const BeanstalkServer&) = delete;
  BeanstalkServer& operator=(const BeanstalkServer&) = delete;

  // Binds. Errors: kInvalidArgument (bad host, port in use).
  core::Result<void> Listen() { return tcp_.Listen(); }
  std::uint16_t port() const noexcept { return tcp_.port(); }
  // Starts the worker threads; returns at once.
  void Start() { tcp_.Start(); }
  // Stops accepting, closes idle connections, gives a command in progress a moment, joins.
  // Idempotent; thread-safe.
  void Stop();

  core::TcpServerStats connection_stats() const noexcept { return tcp_.stats(); }

 private:
  class Protocol;
  std::unique_ptr<Protocol> protocol_;
  core::TcpServer tcp_;
};

}  // namespace jobs_server
