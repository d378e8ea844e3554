// The beanstalkd protocol over TCP (--beanstalkd-port, default 11300): what lets existing
// beanstalkd clients (beaneater, pystalk, go-beanstalk) use sd-jobqueue unchanged.
//
// Transport only: beanstalk::Session is the protocol; this is the socket loop around it — its
// own worker threads, one io_context and SO_REUSEPORT listener per thread, one coroutine per
// connection (04's memcached server, which the shared core/net TCP server will replace for both).
// What it adds to a plain loop: a reserve that must wait parks the connection until the engine
// fires its Wakeup; replies that change durable state are held until the write-ahead log says
// they are durable (--fsync), so "INSERTED 7" is never sent for a job a crash could lose.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "03_job_queue_worker_mini/protocol/beanstalk_session.hpp"
#include "03_job_queue_worker_mini/wal/wal.hpp"
#include "core/base/error.hpp"

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
  core::Result<void> Listen();
  std::uint16_t port() const noexcept { return port_; }
  // Starts the worker threads; returns at once.
  void Start();
  // Stops accepting, abandons every connection (clients reconnect, as with beanstalkd), joins.
  void Stop();

  struct Worker;

 private:
  beanstalk::Service& service_;
  wal::Wal* const log_;
  const BeanstalkServerOptions options_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopped_{false};
  std::shared_ptr<std::atomic<std::size_t>> active_;
};

}  // namespace jobs_server
