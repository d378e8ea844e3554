// Every limit the HTTP server enforces, each with its default; each is a command-line flag
// (service.hpp's ServiceCli) so an operator can change it without a rebuild.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/net/tcp_server.hpp"

namespace core {

using namespace std::chrono_literals;

struct ServerOptions {
  std::string host = "127.0.0.1";  // address or name to listen on
  std::uint16_t port = 0;          // 0 = any free port (tests); services default to their own
  int threads = 1;                 // worker threads
  IoModel io_model = IoModel::kReusePort;
  int backlog = 1024;  // listen(2) queue

  std::size_t max_header_bytes = 16 * 1024;  // request line + headers; more → 431
  std::size_t max_body_bytes = 1024 * 1024;  // more → 413
  std::size_t max_connections = 10000;       // more → reclaim an idle one, or 503 and close
  // Request body bytes held by all connections together (0 = no limit); beyond it a new body
  // gets 503 and the connection is closed.
  std::size_t max_body_bytes_in_flight = 256 * 1024 * 1024;

  std::chrono::milliseconds idle_timeout = 60s;      // keep-alive wait for the next request
  std::chrono::milliseconds header_timeout = 10s;    // first byte → end of headers (slowloris)
  std::chrono::milliseconds body_timeout = 30s;      // end of headers → end of body
  std::chrono::milliseconds write_timeout = 30s;     // one response write (slow readers)
  std::chrono::milliseconds shutdown_timeout = 10s;  // in-flight requests get this long on SIGTERM

  std::string server_name = "sd";  // value of the Server header
};

}  // namespace core
