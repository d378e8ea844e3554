// Listening sockets for one server: one per io_context (SO_REUSEPORT, the kernel spreads new
// connections over them) or a single one. Shared by the HTTP server and the cache's memcached
// listener so both bind the same careful way.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/base/error.hpp"

namespace core {

// Opens, binds and listens one acceptor per context in `contexts` on host:port (port 0: any free
// port, then every acceptor joins it). With more than one context, SO_REUSEPORT is set — and a
// probe bind first makes sure no other process listens on the port, since SO_REUSEPORT would
// otherwise silently share it with that process. Errors: kInvalidArgument naming host, port and
// the failing step ("address in use", "cannot resolve host").
Result<std::vector<boost::asio::ip::tcp::acceptor>> OpenListeners(
    std::span<boost::asio::io_context* const> contexts, const std::string& host, std::uint16_t port,
    int backlog, bool reuse_port);

}  // namespace core
