// The memcached text protocol as a pure state machine: bytes in, reply bytes out, no I/O.
//
// The TCP server (memcached_server.cpp) owns the socket; per connection it keeps a
// MemcachedSession and loops: read bytes, Feed them, write what Feed appended, close when
// ShouldClose(). Input may arrive in any split (one byte at a time, many pipelined commands per
// read); the output is the same. Everything a hostile client can make us hold is bounded:
//   - a partial command line: max_line_bytes (max_retrieval_line_bytes for get/gets/gat/gats);
//     longer -> "CLIENT_ERROR line too long", then close (memcached closes silently at 2048);
//   - a partial value: written straight into the item being stored (one copy, no staging
//     buffer), at most the cache's max_value_bytes; a value over it is answered
//     "SERVER_ERROR object too large for cache" and its bytes are skipped, not buffered;
//   - replies: Feed stops consuming input once `out` passes output_high_water_bytes, and a
//     multi-key get pauses between keys (Busy()), so one command cannot build an unbounded reply.
//
// Commands: get gets gat gats set add replace append prepend cas delete incr decr touch flush_all
// stats ["settings"] version verbosity quit, with noreply where memcached takes it. Replies and
// error strings match memcached 1.6.18 byte for byte, except where memcached_session_test.cpp
// documents a deliberate difference (keys with control characters and flags above 2^32-1 are
// refused; an over-long line gets an error before the close, however TCP split it; incr results
// are never space-padded; values are limited by max_value_bytes, not value + item header).
//
// Canonical server loop (one coroutine per connection; the service outlives all sessions):
//
//   MemcachedSession session(service);          // counts curr_connections until destroyed
//   std::string out;
//   for (;;) {
//     n = co_await socket.async_read_some(buffer(buf), token);   // error/EOF -> break
//     std::string_view in(buf, n);
//     do {
//       in.remove_prefix(session.Feed(in, out));
//       if (!out.empty()) { co_await async_write(socket, buffer(out), token); out.clear(); }
//     } while ((!in.empty() || session.Busy()) && !session.ShouldClose());
//     if (session.ShouldClose()) break;
//   }
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "04_cache_service_mini/cache/cache.hpp"
#include "04_cache_service_mini/cache/expiry.hpp"
#include "04_cache_service_mini/memcached/memcached_parse.hpp"
#include "core/base/clock.hpp"

namespace cache {

#ifdef SD_VERSION
inline constexpr std::string_view kDefaultMemcachedVersion = SD_VERSION;
#else
inline constexpr std::string_view kDefaultMemcachedVersion = "dev";
#endif

struct MemcachedOptions {
  // `version` and STAT version.
  std::string version = std::string(kDefaultMemcachedVersion);
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
  // One reply may still overshoot it by one value (max_value_bytes).
  std::size_t output_high_water_bytes = 256 * 1024;
  // Reported as STAT threads (the server's worker thread count).
  std::uint32_t threads = 1;
};

// What all connections of one server share: the cache, the clocks, the options and the
// connection/traffic counters `stats` reports. Thread-safe; must outlive its sessions.
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

 private:
  friend class MemcachedSession;

  Cache& cache_;
  const core::Clock& clock_;
  const WallClock& wall_;
  const MemcachedOptions options_;
  const core::Clock::time_point started_;
  const long pid_;
  std::atomic<std::uint64_t> curr_connections_{0};
  std::atomic<std::uint64_t> total_connections_{0};
  std::atomic<std::uint64_t> bytes_read_{0};
  std::atomic<std::uint64_t> bytes_written_{0};
};

// One connection's protocol state. Not thread-safe: one connection, one strand.
class MemcachedSession {
 public:
  // Counts a new connection (curr_connections, total_connections) until destroyed.
  explicit MemcachedSession(MemcachedService& service);
  ~MemcachedSession();
  MemcachedSession(const MemcachedSession&) = delete;
  MemcachedSession& operator=(const MemcachedSession&) = delete;

  // Consumes a prefix of `input` and appends the replies to `out`. Returns how many bytes it
  // consumed: all of them, unless `out` reached output_high_water_bytes first; then write `out`
  // and call again with the rest. Bytes of an incomplete command or value are consumed and kept.
  // After ShouldClose() everything is consumed and ignored.
  std::size_t Feed(std::string_view input, std::string& out);
  // A multi-key retrieval paused for room in `out`: write it, then call Feed (input may be empty).
  bool Busy() const noexcept { return retrieval_active_; }
  // `quit` or a fatal protocol error: write what Feed produced, then close the connection.
  bool ShouldClose() const noexcept { return state_ == State::kClosed; }
  // Between commands: no partial line or value held. The server applies its idle timeout here and
  // its (shorter) read timeout otherwise, so a client stopping mid-value cannot pin the memory.
  bool Idle() const noexcept {
    return state_ == State::kLine && line_.empty() && !retrieval_active_;
  }

 private:
  enum class State { kLine, kValue, kValueEnd, kSwallow, kClosed };

  std::size_t ConsumeLine(std::string_view input, std::string& out);
  std::size_t ConsumeValue(std::string_view input);
  std::size_t ConsumeValueEnd(std::string_view input, std::string& out);
  std::size_t ConsumeSwallow(std::string_view input);
  std::size_t LineLimit(std::string_view line_start) const noexcept;

  void Execute(std::string_view line, std::string& out);
  void StartRetrieval(const memcached::Tokens& tokens, std::string_view line, std::string& out);
  bool ContinueRetrieval(std::string& out);  // false: paused, `out` is full
  void StartStorage(StoreMode mode, const memcached::Tokens& tokens, std::string& out);
  void FinishStorage(std::string& out);
  void Delete(const memcached::Tokens& tokens, std::string& out);
  void Arith(bool incr, const memcached::Tokens& tokens, std::string& out);
  void Touch(const memcached::Tokens& tokens, std::string& out);
  void FlushAll(const memcached::Tokens& tokens, std::string& out);
  void Verbosity(const memcached::Tokens& tokens, std::string& out);
  void Stats(const memcached::Tokens& tokens, std::string& out);
  Expiry ExpiryFrom(std::int64_t exptime) const;
  // Appends `text` + "\r\n" unless the current command said noreply.
  void Reply(std::string& out, std::string_view text);

  MemcachedService& service_;
  State state_ = State::kLine;
  bool noreply_ = false;
  std::string line_;  // an incomplete command line carried between Feed calls

  // The storage command whose data block is being read.
  StoreMode store_mode_ = StoreMode::kSet;
  Expiry store_expiry_ = Expiry::Never();
  std::uint64_t store_cas_ = 0;
  bool store_noreply_ = false;
  PendingItem pending_;
  std::size_t value_filled_ = 0;
  char terminator_[2] = {0, 0};
  std::size_t terminator_filled_ = 0;
  std::uint64_t swallow_left_ = 0;

  // The multi-get being answered.
  bool retrieval_active_ = false;
  bool retrieval_cas_ = false;
  bool retrieval_touch_ = false;
  Expiry retrieval_expiry_ = Expiry::Never();
  std::string retrieval_keys_;
  std::size_t retrieval_pos_ = 0;
};

}  // namespace cache
