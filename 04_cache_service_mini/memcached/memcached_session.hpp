// The memcached text protocol as a pure state machine: bytes in, reply bytes out, no I/O.
//
// The TCP server (memcached_server.cpp) owns the socket; per connection it keeps a
// MemcachedSession and loops: read bytes, Feed them, write what Feed appended, close when
// ShouldClose(). Input may arrive in any split (one byte at a time, many pipelined commands per
// read); the output is the same. Everything a hostile client can make us hold is bounded:
//   - a partial command line: max_line_bytes (max_retrieval_line_bytes for get/gets/gat/gats);
//     longer -> "CLIENT_ERROR line too long", then close (memcached closes silently at 2048);
//   - a partial value: written straight into the item being stored (one copy, no staging
//     buffer), at most the cache's max_value_bytes, and its charge reserved against the cache's
//     byte budget from the moment the header is parsed (Cache::Allocate): when values in flight
//     already hold the room, "SERVER_ERROR out of memory storing object"; a value over the size
//     limit is "SERVER_ERROR object too large for cache". Either way its bytes are skipped, not
//     buffered;
//   - replies: Feed stops consuming input once `out` passes output_high_water_bytes, and a
//     multi-key get pauses between keys (Busy()), so one command cannot build an unbounded reply.
//
// Commands: get gets gat gats set add replace append prepend cas delete incr decr touch flush_all
// stats [settings|slabs|items|sizes|conns|reset] version verbosity quit, with noreply where
// memcached takes it; an unknown command ending in an HTTP/ token closes the connection, as in
// memcached. Replies and error strings match memcached 1.6.18 byte for byte, except where
// memcached_session_test.cpp documents a deliberate difference (keys with CR or NUL and flags
// above 2^32-1 are refused; exptimes keep all 64 bits; an over-long line gets an error before the
// close, however TCP split it; incr results are never space-padded; values are limited by
// max_value_bytes, not value + item header).
//
// The canonical loop, with the transport left to `read` (bytes read, 0 at the end) and `write`
// (false when the peer is gone); memcached_server.cpp runs the same loop with co_await:
//
//   ```cpp
//   #include <functional>
//   #include <span>
//   void Serve(cache::MemcachedService& service,  // outlives every session
//              const std::function<std::size_t(std::span<char>)>& read,
//              const std::function<bool(std::string_view)>& write) {
//     cache::MemcachedSession session(service);  // counts curr_connections until destroyed
//     char buf[16 * 1024];
//     std::string out;
//     for (;;) {
//       const std::size_t n = read(buf);
//       if (n == 0) return;
//       std::string_view in(buf, n);
//       do {
//         in.remove_prefix(session.Feed(in, out));
//         if (!out.empty() && !write(out)) return;
//         out.clear();
//       } while ((!in.empty() || session.Busy()) && !session.ShouldClose());
//       if (session.ShouldClose()) return;
//     }
//   }
//   ```
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "04_cache_service_mini/cache/cache.hpp"
#include "04_cache_service_mini/cache/expiry.hpp"
#include "04_cache_service_mini/memcached/memcached_parse.hpp"
#include "04_cache_service_mini/memcached/memcached_service.hpp"
#include "core/base/clock.hpp"

namespace cache {

// One connection's protocol state. Not thread-safe: one connection, one strand.
class MemcachedSession {
 public:
  // Counts a new connection (curr_connections, total_connections) and lists it in `stats conns`
  // until destroyed.
  explicit MemcachedSession(MemcachedService& service);
  ~MemcachedSession();
  MemcachedSession(const MemcachedSession&) = delete;
  MemcachedSession& operator=(const MemcachedSession&) = delete;

  // Transport hook: the client's address as `stats conns` shows it, e.g. "tcp:127.0.0.1:50312".
  void SetPeer(std::string peer) { service_.SetPeer(&info_, std::move(peer)); }

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
  void GeneralStats(std::string& out);
  void SettingsStats(std::string& out);
  void SlabsStats(std::string& out);
  void ItemsStats(std::string& out);
  void ConnsStats(std::string& out);
  // Publishes the state `stats conns` shows; `active`: input arrived in this Feed.
  void Publish(bool active);
  Expiry ExpiryFrom(std::int64_t exptime) const;
  // Appends `text` + "\r\n" unless the current command said noreply.
  void Reply(std::string& out, std::string_view text);

  MemcachedService& service_;
  ConnectionInfo info_;
  State state_ = State::kLine;
  bool noreply_ = false;
  std::string line_;  // an incomplete command line carried between Feed calls
  // Bytes of the current Feed's input after the line being executed: a value already there in
  // full is stored without waiting, so it needs no reservation against the budget.
  std::size_t after_line_ = 0;

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
