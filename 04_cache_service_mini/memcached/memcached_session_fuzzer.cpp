// libFuzzer target for the memcached protocol (built with -DSD_BUILD_FUZZERS=ON and clang).
//
// Differential: the same bytes go to two fresh sessions, one whole and one cut into pieces whose
// sizes come from the input, each with its own cache. Beyond "no crash, no leak, no UB" (ASan,
// UBSan), it checks that the chunking never changes a single reply byte, and that one Feed never
// returns more than the documented bound past output_high_water_bytes.
//
//   build-fuzz/bin/memcached_session_fuzzer 04_cache_service_mini/fuzz_corpus -max_total_time=300
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "04_cache_service_mini/memcached/memcached_session.hpp"
#include "core/base/clock.hpp"

namespace {

constexpr std::size_t kHighWater = 1024;
constexpr std::size_t kMaxValue = 4096;
// One Feed may overshoot the high-water mark by one reply: a VALUE line and its data, or stats.
constexpr std::size_t kMaxOvershoot = kMaxValue + 4096;

struct World {
  core::FakeClock clock;
  cache::FakeWallClock wall;
  cache::Cache cache;
  cache::MemcachedService service;

  explicit World(cache::PolicyKind policy)
      : cache(Options(policy), clock), service(cache, clock, wall, ServiceOptions()) {}

  static cache::CacheOptions Options(cache::PolicyKind policy) {
    cache::CacheOptions options;
    options.max_bytes = 64 * 1024;
    options.shards = 2;
    options.max_value_bytes = kMaxValue;
    options.policy.kind = policy;
    return options;
  }
  static cache::MemcachedOptions ServiceOptions() {
    cache::MemcachedOptions options;
    options.version = "fuzz";
    options.max_line_bytes = 512;
    options.max_retrieval_line_bytes = 2048;
    options.output_high_water_bytes = kHighWater;
    return options;
  }
};

// Runs the canonical server loop; `cuts` supplies piece sizes (1..16), empty = all at once.
std::string Converse(World& world, std::string_view input, std::string_view cuts, bool* closed) {
  cache::MemcachedSession session(world.service);
  std::string transcript;
  std::string out;
  std::size_t cut = 0;
  while (!input.empty() && !session.ShouldClose()) {
    std::size_t take = input.size();
    if (!cuts.empty()) take = 1 + static_cast<unsigned char>(cuts[cut++ % cuts.size()]) % 16;
    take = std::min(take, input.size());
    std::string_view piece = input.substr(0, take);
    input.remove_prefix(take);
    do {
      const std::size_t consumed = session.Feed(piece, out);
      if (consumed > piece.size() || out.size() > kHighWater + kMaxOvershoot) std::abort();
      piece.remove_prefix(consumed);
      transcript += out;
      out.clear();
    } while ((!piece.empty() || session.Busy()) && !session.ShouldClose());
  }
  *closed = session.ShouldClose();
  return transcript;
}

// bytes_read / bytes_written are sampled mid-stream, so they legitimately depend on chunking;
// rusage_* is the process's CPU time.
std::string WithoutTrafficStats(const std::string& transcript) {
  std::string result;
  std::size_t start = 0;
  while (start < transcript.size()) {
    std::size_t end = transcript.find('\n', start);
    end = end == std::string::npos ? transcript.size() : end + 1;
    const std::string_view line(transcript.data() + start, end - start);
    if (line.rfind("STAT bytes_read ", 0) != 0 && line.rfind("STAT bytes_written ", 0) != 0 &&
        line.rfind("STAT rusage_", 0) != 0) {
      result.append(line);
    }
    start = end;
  }
  return result;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  // Byte 0: policy. Byte 1: how many following bytes are cut sizes. Then the protocol stream.
  const auto policy = static_cast<cache::PolicyKind>(data[0] % 3);
  const std::size_t cut_bytes = std::min<std::size_t>(data[1] % 32, size - 2);
  const std::string_view cuts(reinterpret_cast<const char*>(data + 2), cut_bytes);
  const std::string_view input(reinterpret_cast<const char*>(data + 2 + cut_bytes),
                               size - 2 - cut_bytes);

  World whole_world(policy);
  World split_world(policy);
  bool whole_closed = false;
  bool split_closed = false;
  const std::string whole = Converse(whole_world, input, {}, &whole_closed);
  const std::string split =
      Converse(split_world, input, cuts.empty() ? "\x00" : cuts, &split_closed);
  if (whole_closed != split_closed || WithoutTrafficStats(whole) != WithoutTrafficStats(split)) {
    std::abort();
  }
  const cache::CacheStats stats = whole_world.cache.Stats();
  if (stats.bytes > stats.limit_maxbytes) std::abort();
  // The sessions are gone: every value they were receiving returned its reservation.
  if (stats.bytes_in_flight != 0 || split_world.cache.Stats().bytes_in_flight != 0) std::abort();
  return 0;
}
