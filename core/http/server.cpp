#include "core/http/server.hpp"

#include "core/http/connection.hpp"
#include "core/http/problem.hpp"

namespace core {

// HTTP as a TcpServer protocol: its connections, and its refusal.
class Server::Protocol final : public TcpProtocol {
 public:
  Protocol(const ServerOptions& options, const Pipeline& pipeline)
      : options_(options),
        pipeline_(pipeline),
        body_budget_(options.max_body_bytes_in_flight),
        refusal_(BusyResponse()) {}

  std::shared_ptr<TcpConnection> MakeConnection(net::ip::tcp::socket socket) override {
    return std::make_shared<HttpConnection>(std::move(socket), options_, pipeline_, body_budget_);
  }
  const ByteBudget& body_budget() const { return body_budget_; }
  std::string_view RefusalBytes() const override { return refusal_; }

 private:
  static std::string BusyResponse() {
    std::string body = ProblemJson(
        Error(Code::kUnavailable, "the server is at its connection limit; retry shortly"), "", "");
    return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\n"
           "Retry-After: 1\r\nConnection: close\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }

  const ServerOptions& options_;
  const Pipeline& pipeline_;
  ByteBudget body_budget_;
  const std::string refusal_;
};

namespace {

TcpServerOptions TcpOptionsOf(const ServerOptions& o) {
  return {.name = "http",
          .host = o.host,
          .port = o.port,
          .threads = o.threads,
          .io_model = o.io_model,
          .backlog = o.backlog,
          .max_connections = o.max_connections,
          .shutdown_timeout = o.shutdown_timeout};
}

}  // namespace

Server::Server(ServerOptions options, const Pipeline& pipeline)
    : options_(std::move(options)),
      protocol_(std::make_unique<Protocol>(options_, pipeline)),
      tcp_(TcpOptionsOf(options_), *protocol_) {}

Server::~Server() = default;

const ByteBudget& Server::body_budget() const noexcept { return protocol_->body_budget(); }

}  // namespace core
