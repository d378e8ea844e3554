// Test fixture for the memcached protocol: a cache on fake clocks plus a driver that runs the
// canonical server loop (see memcached_session.hpp) over any chunking of the input.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "04_cache_service_mini/cache/cache.hpp"
#include "04_cache_service_mini/cache/expiry.hpp"
#include "04_cache_service_mini/memcached/memcached_session.hpp"
#include "core/base/clock.hpp"

namespace cache::testing {

struct Conversation {
  std::string output;
  bool closed = false;
};

// Feeds `input` in pieces of `chunk` bytes (0 = all at once) exactly as the TCP server does:
// after every Feed the output is "written", and Busy() or unconsumed input loop back.
inline Conversation Drive(MemcachedSession& session, std::string_view input,
                          std::size_t chunk = 0) {
  Conversation result;
  std::string out;
  while (!input.empty() && !session.ShouldClose()) {
    const std::size_t take = chunk == 0 ? input.size() : std::min(chunk, input.size());
    std::string_view piece = input.substr(0, take);
    input.remove_prefix(take);
    do {
      piece.remove_prefix(session.Feed(piece, out));
      result.output += out;
      out.clear();
    } while ((!piece.empty() || session.Busy()) && !session.ShouldClose());
  }
  result.closed = session.ShouldClose();
  return result;
}

class MemcachedHarness {
 public:
  explicit MemcachedHarness(CacheOptions cache_options = {}, MemcachedOptions options = {})
      : cache_(cache_options, clock_),
        service_(cache_, clock_, wall_, FixVersion(std::move(options))) {}

  // A new connection that sends `input` and reads everything back.
  Conversation Send(std::string_view input, std::size_t chunk = 0) {
    MemcachedSession session(service_);
    return Drive(session, input, chunk);
  }
  std::string Reply(std::string_view input) { return Send(input).output; }

  core::FakeClock& clock() { return clock_; }
  FakeWallClock& wall() { return wall_; }
  Cache& cache() { return cache_; }
  MemcachedService& service() { return service_; }

 private:
  static MemcachedOptions FixVersion(MemcachedOptions options) {
    options.version = "1.6.18-test";
    return options;
  }

  core::FakeClock clock_;
  FakeWallClock wall_{1'700'000'000};
  Cache cache_;
  MemcachedService service_;
};

}  // namespace cache::testing
