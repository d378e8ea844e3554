// What every memcached-protocol connection of one server shares: the cache, the clocks, the
// options, and the server-wide state `stats` reports (connections and traffic, the connection list
// of `stats conns`, the baseline `stats reset` sets).
//
// The service enforces nothing about sockets; the TCP server does, and tells the service what it
// did through the few calls marked "transport hook" below, so that `stats` can say it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "04_cache_service_mini/cache/cache.hpp"
#include "04_cache_service_mini/cache/expiry.hpp"
#include "core/base/clock.hpp"
#include "core/base/mutex.hpp"
#include "core/base/version.hpp"

namespace cache {

struct MemcachedOptions {
  // `version` and STAT version.
  std::string version = std::string(core::kVersion);
  // Longest command line for everything but retrieval (memcached's 2048: a storage line with a
  // 250-byte key needs < 300).
  std::size_t max_line_bytes = 2048;
  // Longest get/gets/gat/gats line (--memcached-max-get-line-bytes): bounds the keys of one
  // multi-get. memcached grows its read buffer without bound for these; clients do send large
  // ones (a get of ~18,700 keys is a 187 KB line), so the default is the largest value's size,
  // 1 MiB: ~4,000 keys of 250 bytes or ~100,000 of 10. A connection holds at most one such line
  // (the session moves it, never copies it twice), so lines in flight are bounded by connections
  // x this; like memcached's read buffers they are not charged to the cache's byte budget.
  std::size_t max_retrieval_line_bytes = std::size_t{1} << 20;
  // Feed stops consuming input once its output passes this (the caller writes and comes back).
  // One reply may still overshoot it by one value (max_value_bytes) or one stats listing.
  std::size_t output_high_water_bytes = std::size_t{256} * 1024;

  // What the transport serves with, only reported (STAT threads, max_connections / maxconns,
  // inter, idle_timeout); the TCP server enforces them.
  std::uint32_t threads = 1;
  std::size_t max_connections = 4096;
  std::string host = "127.0.0.1";
  std::chrono::seconds idle_timeout{0};  // 0 = never
};

// A connection's state in memcached's words (conn_waiting, conn_read, ...), for `stats conns`.
enum class ConnState : std::uint8_t {
  kWaiting,
  kRead,
  kParseCmd,
  kNread,
  kSwallow,
  kMwrite,
  kClosing
};
std::string_view NameOf(ConnState state) noexcept;

// One connection as `stats conns` lists it. Written by its session's strand, read under the
// service's lock by whichever connection asks; hence the atomics.
struct ConnectionInfo {
  std::uint64_t id = 0;  // memcached lists file descriptors; ours are connection numbers
  std::string peer;      // "tcp:ADDR:PORT", empty if the transport did not say (guarded by mu_)
  std::atomic<ConnState> state{ConnState::kWaiting};
  std::atomic<std::int64_t> last_active_ns{0};  // clock ns when it last sent bytes
};

// Thread-safe; must outlive its sessions.
class MemcachedService {
 public:
  // All references must outlive the service.
  MemcachedService(Cache& cache, const core::Clock& clock, const WallClock& wall,
                   MemcachedOptions options = {});

  Cache& cache() const noexcept { return cache_; }
  const MemcachedOptions& options() const noexcept { return options_; }
  std::uint64_t curr_connections() const noexcept {
    return curr_connections_.load(std::memory_order_relaxed);
  }
  std::uint64_t total_connections() const noexcept {
    return total_connections_.load(std::memory_order_relaxed);
  }

  // Transport hook: the bound port, once known (STAT tcpport, the listener in `stats conns`).
  void SetListeningPort(std::uint16_t port) noexcept {
    port_.store(port, std::memory_order_relaxed);
  }
  // Transport hook: a connection refused at the connection cap (STAT rejected_connections).
  void CountRejectedConnection() noexcept {
    rejected_connections_.fetch_add(1, std::memory_order_relaxed);
  }
  // Transport hook: accepting stopped (e.g. out of file descriptors) or resumed. Feeds
  // accepting_conns, listen_disabled_num and time_in_listen_disabled_us, as in memcached.
  void SetAccepting(bool accepting);

 private:
  friend class MemcachedSession;

  // Server-wide counters `stats reset` zeroes (through a baseline, see StatsBaseline).
  struct TrafficCounters {
    std::uint64_t total_connections = 0;
    std::uint64_t rejected_connections = 0;
    std::uint64_t bytes_read = 0;
    std::uint64_t bytes_written = 0;
    std::uint64_t listen_disabled_num = 0;
    std::uint64_t time_in_listen_disabled_us = 0;
  };
  // What `stats` subtracts: the counters as they were at the last `stats reset`. The live counters
  // never go backwards, so /metrics (Prometheus counters) is unaffected by a reset.
  struct StatsBaseline {
    CacheStats cache;
    std::vector<CacheStats> shards;  // empty until the first reset
    TrafficCounters traffic;
  };

  TrafficCounters Traffic() const;
  StatsBaseline Baseline() const;
  // The cache's per-shard stats with the counters counted from the last `stats reset`.
  std::vector<CacheStats> ShardStatsSinceReset() const;
  void ResetStats();
  void Register(ConnectionInfo* connection);
  void Unregister(const ConnectionInfo* connection);
  void SetPeer(ConnectionInfo* connection, std::string peer);
  // Calls fn(const ConnectionInfo&) for each open connection in id order, under the lock.
  template <class Fn>
  void ForEachConnection(Fn&& fn) const {
    core::MutexLock lock(mu_);
    for (const auto& [id, connection] : connections_) fn(*connection);
  }

  Cache& cache_;
  const core::Clock& clock_;
  const WallClock& wall_;
  const MemcachedOptions options_;
  const core::Clock::time_point started_;
  const long pid_;
  std::atomic<std::uint64_t> curr_connections_{0};
  std::atomic<std::uint64_t> total_connections_{0};
  std::atomic<std::uint64_t> rejected_connections_{0};
  std::atomic<std::uint64_t> bytes_read_{0};
  std::atomic<std::uint64_t> bytes_written_{0};
  std::atomic<std::uint16_t> port_{0};
  std::atomic<bool> accepting_{true};
  std::atomic<std::uint64_t> verbosity_{0};

  // Also guards each registered ConnectionInfo's peer.
  mutable core::Mutex mu_;
  std::map<std::uint64_t, ConnectionInfo*> connections_ SD_GUARDED_BY(mu_);
  std::uint64_t next_connection_id_ SD_GUARDED_BY(mu_) = 1;
  std::uint64_t listen_disabled_num_ SD_GUARDED_BY(mu_) = 0;
  std::int64_t time_in_listen_disabled_ns_ SD_GUARDED_BY(mu_) = 0;
  core::Clock::time_point listen_disabled_since_ SD_GUARDED_BY(mu_){};
  StatsBaseline baseline_ SD_GUARDED_BY(mu_);
};

}  // namespace cache
