// The TCP port of a text protocol whose clients keep pools of long-lived connections — memcached's
// (04) and beanstalkd's (03): how such a port sits on TcpServer, its lifetime, and how it
// announces itself. A protocol derives from it and supplies only its TcpProtocol (connections,
// the busy reply), so both ports are configured, started and stopped the same way.
//
// The settings, and why: one listening socket per thread (SO_REUSEPORT); idle connections are
// never reclaimed at the cap — these clients keep pools, and closing an idle one only makes the
// client reconnect, so the newcomer is refused with the protocol's busy reply instead; no graceful
// drain — neither memcached nor beanstalkd has one, their clients reconnect — so at shutdown a
// command already under way gets min(read_timeout, 2 s) to finish.
//
//   class EchoServer final : public core::TextProtocolServer {
//    public:
//     explicit EchoServer(core::TextProtocolServerOptions o)
//         : TextProtocolServer("echo", std::make_unique<EchoProtocol>(o), o) {}
//   };
//   EchoServer echo({.port = 7});
//   if (auto r = echo.Listen(); !r) return r.error();  // "echo: address in use"
//   echo.Start();  // logs, and prints "echo protocol on 127.0.0.1:7"
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/base/error.hpp"
#include "core/net/tcp_server.hpp"

namespace core {

struct TextProtocolServerOptions {
  std::string host = "127.0.0.1";  // address to listen on
  std::uint16_t port = 0;          // 0 = any free port
  int threads = 1;                 // worker threads
  std::size_t max_connections = 4096;
  // A command line or value that has started must arrive within this, from its first byte (so
  // trickling cannot extend it); the protocol's connections apply it, and use it too as the time a
  // client not reading its replies gets to take them.
  std::chrono::milliseconds read_timeout{10'000};
};

class TextProtocolServer {
 public:
  ~TextProtocolServer();  // Stop()
  TextProtocolServer(const TextProtocolServer&) = delete;
  TextProtocolServer& operator=(const TextProtocolServer&) = delete;

  // Binds. Errors: kInvalidArgument (bad host, port in use), the detail prefixed with the
  // protocol's name ("memcached: ...").
  Result<void> Listen();
  // The bound port (useful when options.port was 0). Valid after Listen().
  std::uint16_t port() const noexcept { return tcp_.port(); }
  // Starts the worker threads and announces the port: logs "<name> protocol listening" and prints
  // "<name> protocol on HOST:PORT" on stdout, the line tests and scripts wait for. Returns at once.
  void Start();
  // Stops accepting, closes idle connections, gives a command in progress a moment, joins the
  // threads. Idempotent; thread-safe.
  void Stop();

  const TextProtocolServerOptions& options() const noexcept { return options_; }
  std::size_t active_connections() const noexcept { return tcp_.active_connections(); }
  TcpServerStats connection_stats() const noexcept { return tcp_.stats(); }

 protected:
  // `name` names the protocol in logs, errors and the start-up line ("memcached", "beanstalkd").
  TextProtocolServer(std::string name, std::unique_ptr<TcpProtocol> protocol,
                     TextProtocolServerOptions options);

 private:
  const std::string name_;
  const TextProtocolServerOptions options_;
  const std::unique_ptr<TcpProtocol> protocol_;  // before tcp_, which refers to it
  TcpServer tcp_;
};

}  // namespace core
