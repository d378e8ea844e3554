// The memcached text protocol over TCP (--memcached-port, default 11211): what lets existing
// memcached clients and tools (libmemcached's memcstat/memccat, pymemcache, spymemcached) use
// sd-cache unchanged.
//
// Transport only: MemcachedSession (memcached_session.hpp) is the protocol; this is the socket
// loop around it. Its own worker threads, one io_context and listening socket per thread
// (SO_REUSEPORT), one coroutine per connection — the HTTP core's model without HTTP. Limits: a
// connection cap (memcached's -c), an idle timeout between commands (off by default, as in
// memcached) and a read timeout once a command has started, so a client that stops mid-value
// cannot hold its half-filled item (up to the item size) forever.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "04_cache_service_mini/memcached/memcached_session.hpp"
#include "core/base/error.hpp"

namespace cache {

struct MemcachedServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 11211;  // 0 = any free port
  int threads = 1;
  std::size_t max_connections = 4096;
  std::chrono::milliseconds idle_timeout{0};       // between commands; 0 = never
  std::chrono::milliseconds read_timeout{10'000};  // a started command must complete in this
};

class MemcachedServer {
 public:
  // `service` must outlive the server.
  MemcachedServer(MemcachedService& service, MemcachedServerOptions options);
  ~MemcachedServer();
  MemcachedServer(const MemcachedServer&) = delete;
  MemcachedServer& operator=(const MemcachedServer&) = delete;

  // Binds. Errors: kInvalidArgument (bad host, port in use).
  core::Result<void> Listen();
  std::uint16_t port() const noexcept { return port_; }
  // Starts the worker threads; returns at once.
  void Start();
  // Stops accepting, closes every connection, joins the threads. Idempotent; thread-safe.
  void Stop();

  std::size_t active_connections() const noexcept;

  struct Worker;  // per thread: io_context, acceptor (memcached_server.cpp)

 private:
  MemcachedService& service_;
  const MemcachedServerOptions options_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopped_{false};
  std::shared_ptr<std::atomic<std::size_t>> active_;
};

}  // namespace cache
