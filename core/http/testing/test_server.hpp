// Test helpers: a real Server on 127.0.0.1:0 in a background thread, and a blocking raw-socket
// client that speaks bytes, so tests can send exactly the malformed input they mean to.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "core/http/middleware.hpp"
#include "core/http/router.hpp"
#include "core/http/server.hpp"

namespace core::testing {

// Starts `Server` on an ephemeral port; the destructor shuts it down and joins.
class TestServer {
 public:
  TestServer(ServerOptions options, const Pipeline& pipeline);
  ~TestServer();
  std::uint16_t port() const { return server_->port(); }
  Server& server() { return *server_; }
  // Shuts down and waits for Run() to return.
  void Stop();

 private:
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

// A parsed response as the raw client saw it.
struct RawResponse {
  int status = 0;
  std::string head;  // status line + headers, as received
  std::string body;
  std::string Header(std::string_view name) const;  // first value, case-insensitive; "" if absent
};

// One TCP connection with blocking I/O and a receive timeout (so a broken server fails the test
// instead of hanging it).
class RawClient {
 public:
  explicit RawClient(std::uint16_t port,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10));
  void Send(std::string_view bytes);
  // Reads one response. `head_request`: the response to a HEAD has no body whatever its length
  // says.
  std::optional<RawResponse> Read(bool head_request = false);
  // Reads until the server closes; true if it closed (EOF/reset) before the timeout.
  bool WaitClosed();
  // Sends a full request and reads its response.
  std::optional<RawResponse> RoundTrip(std::string_view request);

 private:
  bool Fill();  // reads more into buffer_; false on EOF, error or timeout
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket socket_;
  std::string buffer_;
};

// "GET /path HTTP/1.1\r\nHost: t\r\n\r\n"
std::string Get(std::string_view path, std::string_view extra_headers = "");

}  // namespace core::testing
