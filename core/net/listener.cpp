#include "core/net/listener.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace core {

namespace net = boost::asio;
using tcp = net::ip::tcp;

Result<std::vector<tcp::acceptor>> OpenListeners(std::span<net::io_context* const> contexts,
                                                 const std::string& host, std::uint16_t port,
                                                 int backlog, bool reuse_port) {
  boost::system::error_code ec;
  tcp::endpoint endpoint;
  auto address = net::ip::make_address(host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, port);
  } else {
    net::io_context ioc;
    tcp::resolver resolver(ioc);
    auto results = resolver.resolve(host, std::to_string(port), ec);
    if (ec || results.empty()) {
      return Error(Code::kInvalidArgument, "cannot resolve host '" + host + "'");
    }
    endpoint = results.begin()->endpoint();
  }
  auto fail = [&](std::string_view what) {
    return Error(Code::kInvalidArgument, "cannot listen on " + host + ":" +
                                             std::to_string(endpoint.port()) + ": " +
                                             std::string(what) + ": " + ec.message());
  };
  if (reuse_port && endpoint.port() != 0) {
    net::io_context probe_ioc;
    tcp::acceptor probe(probe_ioc);
    probe.open(endpoint.protocol(), ec);
    if (!ec) probe.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) probe.bind(endpoint, ec);
    if (ec) return fail("probe");
  }
  std::vector<tcp::acceptor> acceptors;
  for (net::io_context* ioc : contexts) {
    auto& acc = acceptors.emplace_back(*ioc);
    acc.open(endpoint.protocol(), ec);
    if (ec) return fail("open");
    acc.set_option(tcp::acceptor::reuse_address(true), ec);
    if (ec) return fail("SO_REUSEADDR");
    if (reuse_port) {
      int one = 1;
      if (::setsockopt(acc.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
        ec.assign(errno, boost::system::system_category());
        return fail("SO_REUSEPORT");
      }
    }
    acc.bind(endpoint, ec);
    if (ec) return fail("bind");
    acc.listen(backlog, ec);
    if (ec) return fail("listen");
    if (endpoint.port() == 0) endpoint.port(acc.local_endpoint().port());  // the rest join it
  }
  return acceptors;
}

}  // namespace core
