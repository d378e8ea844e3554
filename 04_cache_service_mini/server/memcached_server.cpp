#include "04_cache_service_mini/server/memcached_server.hpp"

#include <vector>

#include "core/base/decimal.hpp"
#include "core/net/peer_address.hpp"
#include "core/net/tcp_connection.hpp"

namespace cache {
namespace {

constexpr std::size_t kReadChunk = 16 * 1024;

class MemcachedConnection final : public core::TcpConnection {
 public:
  MemcachedConnection(tcp::socket socket, MemcachedService& service,
                      const MemcachedServerOptions& options)
      : TcpConnection(std::move(socket)), session_(service), options_(options) {
    // `stats conns` lists peers as memcached does ("tcp:ADDR:PORT"; IPv6 bracketed).
    // Built by appends: g++ 12 warns (-Wrestrict, a false positive) on "[" + s + "]".
    const auto& ip = peer_address();
    std::string peer = "tcp:";
    if (ip.is_v6()) peer.push_back('[');
    peer.append(core::PeerAddressText(ip).view());
    if (ip.is_v6()) peer.push_back(']');
    peer.push_back(':');
    core::AppendDecimal(peer, peer_port());
    session_.SetPeer(std::move(peer));
  }

 private:
  core::Task<void> Serve() override {
    std::vector<char> buf(kReadChunk);
    std::string out;
    Clock::time_point command_started{};
    for (;;) {
      // Between commands the idle timeout applies (none by default); once a command has started,
      // the read timeout, measured from its first byte so trickling cannot extend it.
      if (session_.Idle()) {
        if (closing_soon()) break;
        SetPhase(Phase::kIdle, options_.idle_timeout.count() > 0
                                   ? Clock::now() + options_.idle_timeout
                                   : Clock::time_point::max());
      } else {
        SetPhase(Phase::kReading, command_started + options_.text.read_timeout);
      }
      const std::size_t n = co_await ReadSome(core::net::buffer(buf));
      if (n == 0) break;
      if (session_.Idle()) command_started = Clock::now();
      std::string_view in(buf.data(), n);
      bool ok = true;
      do {
        in.remove_prefix(session_.Feed(in, out));
        if (!out.empty()) {
          // A client not reading its replies gets the read timeout to take them.
          ok = co_await Flush(out, Clock::now() + options_.text.read_timeout);
          if (!ok) break;
        }
      } while ((!in.empty() || session_.Busy()) && !session_.ShouldClose());
      if (!ok || session_.ShouldClose()) break;
    }
  }

  MemcachedSession session_;
  const MemcachedServerOptions& options_;
};

class MemcachedProtocol final : public core::TcpProtocol {
 public:
  MemcachedProtocol(MemcachedService& service, MemcachedServerOptions options)
      : service_(service), options_(std::move(options)) {}

  std::shared_ptr<core::TcpConnection> MakeConnection(core::net::ip::tcp::socket socket) override {
    return std::make_shared<MemcachedConnection>(std::move(socket), service_, options_);
  }
  std::string_view RefusalBytes() const override {
    return "SERVER_ERROR too many open connections\r\n";
  }
  void OnRefused() override { service_.CountRejectedConnection(); }
  void OnAccepting(bool accepting) override { service_.SetAccepting(accepting); }
  void OnListening(std::uint16_t port) override { service_.SetListeningPort(port); }

 private:
  MemcachedService& service_;
  const MemcachedServerOptions options_;
};

}  // namespace

MemcachedServer::MemcachedServer(MemcachedService& service, MemcachedServerOptions options)
    : TextProtocolServer("memcached", std::make_unique<MemcachedProtocol>(service, options),
                         options.text) {}

}  // namespace cache
