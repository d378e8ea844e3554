#include "core/http/testing/test_server.hpp"

#include <sys/socket.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <stdexcept>

namespace core::testing {

TestServer::TestServer(ServerOptions options, const Pipeline& pipeline) {
  options.host = "127.0.0.1";
  options.port = 0;
  server_ = std::make_unique<Server>(std::move(options), pipeline);
  if (auto r = server_->Listen(); !r) throw std::runtime_error(r.error().detail);
  thread_ = std::thread([s = server_.get()] { s->Run(); });
}

TestServer::~TestServer() { Stop(); }

void TestServer::Stop() {
  if (!thread_.joinable()) return;
  server_->Shutdown();
  thread_.join();
}

std::string RawResponse::Header(std::string_view name) const {
  std::size_t pos = head.find("\r\n");
  while (pos != std::string::npos && pos + 2 < head.size()) {
    std::size_t end = head.find("\r\n", pos + 2);
    std::string_view line(head.data() + pos + 2,
                          (end == std::string::npos ? head.size() : end) - pos - 2);
    auto colon = line.find(':');
    if (colon != std::string_view::npos && boost::beast::iequals(line.substr(0, colon), name)) {
      auto value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      return std::string(value);
    }
    pos = end;
  }
  return {};
}

RawClient::RawClient(std::uint16_t port, std::chrono::milliseconds timeout) : socket_(ioc_) {
  socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

void RawClient::Send(std::string_view bytes) {
  boost::system::error_code ec;
  boost::asio::write(socket_, boost::asio::buffer(bytes.data(), bytes.size()), ec);
}

bool RawClient::Fill() {
  char buf[8192];
  ssize_t n = ::recv(socket_.native_handle(), buf, sizeof buf, 0);
  if (n <= 0) return false;
  buffer_.append(buf, static_cast<std::size_t>(n));
  return true;
}

std::optional<RawResponse> RawClient::Read(bool head_request) {
  for (;;) {
    auto end = buffer_.find("\r\n\r\n");
    if (end != std::string::npos) {
      RawResponse r;
      r.head = buffer_.substr(0, end + 2);
      if (r.head.size() < 12) return std::nullopt;
      r.status = std::stoi(r.head.substr(9, 3));
      std::size_t length = 0;
      if (auto cl = r.Header("Content-Length"); !cl.empty() && !head_request)
        length = std::stoul(cl);
      if (r.status / 100 == 1) length = 0;
      while (buffer_.size() < end + 4 + length) {
        if (!Fill()) return std::nullopt;
      }
      r.body = buffer_.substr(end + 4, length);
      buffer_.erase(0, end + 4 + length);
      return r;
    }
    if (!Fill()) return std::nullopt;
  }
}

bool RawClient::WaitClosed() {
  for (;;) {
    char buf[4096];
    ssize_t n = ::recv(socket_.native_handle(), buf, sizeof buf, 0);
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;
  }
}

std::optional<RawResponse> RawClient::RoundTrip(std::string_view request) {
  Send(request);
  return Read(request.starts_with("HEAD "));
}

std::string Get(std::string_view path, std::string_view extra_headers) {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: t\r\n" + std::string(extra_headers) +
         "\r\n";
}

}  // namespace core::testing
