#include "core/net/text_protocol_server.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "core/base/log.hpp"

namespace core {
namespace {

TcpServerOptions TcpOptionsOf(const std::string& name, const TextProtocolServerOptions& o) {
  return {.name = name,
          .host = o.host,
          .port = o.port,
          .threads = o.threads,
          .io_model = IoModel::kReusePort,
          .backlog = 1024,
          .max_connections = o.max_connections,
          .reclaim_idle = false,  // clients keep pools of long-lived connections
          // No graceful drain (clients reconnect); a command under way gets a moment to finish.
          .shutdown_timeout = std::min(o.read_timeout, std::chrono::milliseconds(2000))};
}

}  // namespace

TextProtocolServer::TextProtocolServer(std::string name, std::unique_ptr<TcpProtocol> protocol,
                                       TextProtocolServerOptions options)
    : name_(std::move(name)),
      options_(std::move(options)),
      protocol_(std::move(protocol)),
      tcp_(TcpOptionsOf(name_, options_), *protocol_) {}

TextProtocolServer::~TextProtocolServer() { Stop(); }

Result<void> TextProtocolServer::Listen() {
  auto listening = tcp_.Listen();
  if (!listening) return Error(listening.error().code, name_ + ": " + listening.error().detail);
  return {};
}

void TextProtocolServer::Start() {
  tcp_.Start();
  log::Info(name_ + " protocol listening", {{"port", tcp_.port()}});
  std::printf("%s protocol on %s:%u\n", name_.c_str(), options_.host.c_str(),
              static_cast<unsigned>(tcp_.port()));
  std::fflush(stdout);
}

void TextProtocolServer::Stop() {
  tcp_.Shutdown();
  tcp_.Join();
}

}  // namespace core
