// The memcached text protocol over TCP (--memcached-port, default 11211): what lets existing
// memcached clients and tools (libmemcached's memcstat/memccat, pymemcache, spymemcached) use
// sd-cache unchanged.
//
// Transport only: MemcachedSession (memcached/memcached_session.hpp) is the protocol, and the
// project's TextProtocolServer (core/net, shared with 03's beanstalkd port) does the rest — its
// own worker threads, accept loop, connection cap (memcached's -c; refused with memcached's
// "SERVER_ERROR too many open connections"; idle connections are not reclaimed, because memcached
// clients keep pools of long-lived ones), descriptors, shutdown. This file adds only the loop that
// feeds bytes to a session, with an idle timeout between commands (off by default, as in
// memcached) and a read timeout once a command has started, so a client that stops mid-value
// cannot hold its half-filled item forever.
#pragma once

#include <chrono>

#include "04_cache_service_mini/memcached/memcached_session.hpp"
#include "core/net/text_protocol_server.hpp"

namespace cache {

struct MemcachedServerOptions {
  core::TextProtocolServerOptions text;       // host, port, threads, cap, read timeout
  std::chrono::milliseconds idle_timeout{0};  // between commands; 0 = never
};

// Listen, Start, Stop, port and the connection counts come from core::TextProtocolServer.
class MemcachedServer final : public core::TextProtocolServer {
 public:
  // `service` must outlive the server; it is told the bound port, refusals and accept pauses.
  MemcachedServer(MemcachedService& service, MemcachedServerOptions options);
};

}  // namespace cache
