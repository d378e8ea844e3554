#include "04_cache_service_mini/memcached/memcached_service.hpp"

#include <unistd.h>

#include <utility>

namespace cache {

std::string_view NameOf(ConnState state) noexcept {
  switch (state) {
    case ConnState::kWaiting:
      return "conn_waiting";
    case ConnState::kRead:
      return "conn_read";
    case ConnState::kParseCmd:
      return "conn_parse_cmd";
    case ConnState::kNread:
      return "conn_nread";
    case ConnState::kSwallow:
      return "conn_swallow";
    case ConnState::kMwrite:
      return "conn_mwrite";
    case ConnState::kClosing:
      return "conn_closing";
  }
  return "conn_closed";
}

MemcachedService::MemcachedService(Cache& cache, const core::Clock& clock, const WallClock& wall,
                                   MemcachedOptions options)
    : cache_(cache),
      clock_(clock),
      wall_(wall),
      options_(std::move(options)),
      started_(clock.Now()),
      pid_(static_cast<long>(::getpid())) {}

void MemcachedService::SetAccepting(bool accepting) {
  core::MutexLock lock(mu_);
  if (accepting_.load(std::memory_order_relaxed) == accepting) return;
  const core::Clock::time_point now = clock_.Now();
  if (!accepting) {
    ++listen_disabled_num_;
    listen_disabled_since_ = now;
  } else {
    time_in_listen_disabled_ns_ += ToNs(now) - ToNs(listen_disabled_since_);
  }
  accepting_.store(accepting, std::memory_order_relaxed);
}

MemcachedService::TrafficCounters MemcachedService::Traffic() const {
  TrafficCounters t;
  t.total_connections = total_connections_.load(std::memory_order_relaxed);
  t.rejected_connections = rejected_connections_.load(std::memory_order_relaxed);
  t.bytes_read = bytes_read_.load(std::memory_order_relaxed);
  t.bytes_written = bytes_written_.load(std::memory_order_relaxed);
  core::MutexLock lock(mu_);
  t.listen_disabled_num = listen_disabled_num_;
  std::int64_t disabled_ns = time_in_listen_disabled_ns_;
  if (!accepting_.load(std::memory_order_relaxed)) {
    disabled_ns += ToNs(clock_.Now()) - ToNs(listen_disabled_since_);  // still disabled
  }
  t.time_in_listen_disabled_us = static_cast<std::uint64_t>(disabled_ns / 1000);
  return t;
}

MemcachedService::StatsBaseline MemcachedService::Baseline() const {
  core::MutexLock lock(mu_);
  return baseline_;
}

std::vector<CacheStats> MemcachedService::ShardStatsSinceReset() const {
  const StatsBaseline base = Baseline();
  std::vector<CacheStats> shards = cache_.StatsByShard();
  for (std::size_t i = 0; i < shards.size() && i < base.shards.size(); ++i) {
    shards[i].SubtractCounters(base.shards[i]);
  }
  return shards;
}

void MemcachedService::ResetStats() {
  StatsBaseline now{cache_.Stats(), cache_.StatsByShard(), Traffic()};
  core::MutexLock lock(mu_);
  baseline_ = std::move(now);
}

void MemcachedService::Register(ConnectionInfo* connection) {
  core::MutexLock lock(mu_);
  connection->id = next_connection_id_++;
  connections_.emplace(connection->id, connection);
}

void MemcachedService::Unregister(const ConnectionInfo* connection) {
  core::MutexLock lock(mu_);
  connections_.erase(connection->id);
}

void MemcachedService::SetPeer(ConnectionInfo* connection, std::string peer) {
  core::MutexLock lock(mu_);
  connection->peer = std::move(peer);
}

}  // namespace cache
