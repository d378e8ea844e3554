// The memcached text protocol over TCP (--memcached-port, default 11211): what lets existing
// memcached clients and tools (libmemcached's memcstat/memccat, pymemcache, spymemcached) use
// sd-cache unchanged.
//
// Transport only: MemcachedSession (memcached/memcached_session.hpp) is the protocol, and the
// project's TcpServer (core/net) does the rest — its own worker threads, accept loop, connection
// cap (memcached's -c; refused with memcached's "SERVER_ERROR too many open connections"; idle
// connections are not reclaimed, because memcached clients keep pools of long-lived ones),
// descriptors, shutdown. This file adds only the loop that feeds bytes to a session, with an
// idle timeout between commands (off by default, as in memcached) and a read timeout once a
// command has started, so a client that stops mid-value cannot hold its half-filled item forever.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "04_cache_service_mini/memcached/memcached_session.hpp"
#include "core/base/error.hpp"
#include "core/net/tcp_server.hpp"

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
  std::uint16_t port() const noexcept { return tcp_.port(); }
  // Starts the worker threads; returns at once.
  void Start() { tcp_.Start(); }
  // Stops accepting, closes idle connections, lets a command in progress finish (briefly), joins
  // the threads. Idempotent; thread-safe.
  void Stop();

  std::size_t active_connections() const noexcept { return tcp_.active_connections(); }
  core::TcpServerStats connection_stats() const noexcept { return tcp_.stats(); }

 private:
  class Protocol;
  std::unique_ptr<Protocol> protocol_;
  core::TcpServer tcp_;
};

}  // namespace cache
