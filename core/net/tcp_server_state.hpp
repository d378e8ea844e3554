// What a TcpServer shares with its connections (internal to core/net: protocols never see it).
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>

#include "core/base/mutex.hpp"
#include "core/net/tcp_server.hpp"

namespace core {

struct TcpServer::State {
  State(TcpServerOptions o, TcpProtocol& p) : options(std::move(o)), protocol(p) {}

  // Writes the protocol's refusal without reading, closes, counts, and logs (throttled).
  void Refuse(net::ip::tcp::socket socket);
  // Asks the longest-registered idle connection to close (the server is at its cap). True when one
  // was asked; it frees its slot shortly, on its own executor.
  bool TryReclaim();

  const TcpServerOptions options;
  TcpProtocol& protocol;
  std::atomic<bool> draining{false};
  std::atomic<std::size_t> active{0};
  std::atomic<std::size_t> reclaiming{0};  // asked to close for room, not yet gone
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> refused{0};
  std::atomic<std::uint64_t> reclaimed{0};
  std::atomic<std::uint64_t> fd_exhausted{0};

  // Live connections, oldest first, so shutdown can reach the idle ones and a full server can
  // reclaim one. Touched once per connection (and per refusal at the cap), never per request, so
  // a mutex costs nothing measurable here. `raw` may be read under `mu` only: a connection leaves
  // the map (under `mu`) before its memory goes.
  struct Entry {
    std::weak_ptr<TcpConnection> weak;
    const TcpConnection* raw;
  };
  Mutex mu;
  std::map<std::uint64_t, Entry> connections SD_GUARDED_BY(mu);
  std::uint64_t next_id SD_GUARDED_BY(mu) = 0;
  // Runs when draining and the last connection has closed (copied out, called without `mu`).
  std::function<void()> on_drained SD_GUARDED_BY(mu);
};

}  // namespace core
