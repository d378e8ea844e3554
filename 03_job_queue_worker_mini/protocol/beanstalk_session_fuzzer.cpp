// libFuzzer target for the beanstalkd protocol (built with -DSD_BUILD_FUZZERS=ON and clang).
//
// Differential: the same bytes go to two fresh worlds (engine + service + session), one fed whole
// and one cut into pieces whose sizes come from the input. Beyond "no crash, no leak, no UB"
// (ASan, UBSan) it checks that chunking never changes a reply byte, that one Feed never returns
// more than the documented bound past the high-water mark, and that a waiting reserve stops both
// at the same place. The first byte picks a fake-time step applied (with a Tick) between pieces
// of neither run, so timing stays identical for both.
//
//   build-fuzz/bin/beanstalk_session_fuzzer 03_job_queue_worker_mini/protocol/fuzz_corpus \
//     -dict=03_job_queue_worker_mini/protocol/beanstalk.dict -max_total_time=300
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "03_job_queue_worker_mini/engine/engine.hpp"
#include "03_job_queue_worker_mini/protocol/beanstalk_session.hpp"
#include "core/base/clock.hpp"

namespace {

constexpr std::size_t kHighWater = 1024;
constexpr std::size_t kMaxJob = 2048;
// One Feed may overshoot the high-water mark by one reply: a job (FOUND/RESERVED) or stats.
constexpr std::size_t kMaxOvershoot = kMaxJob + 4096;

struct World {
  core::FakeClock clock;
  jobs::Engine engine;
  beanstalk::Service service;
  beanstalk::Session session;
  bool woke = false;

  World()
      : engine(EngineOptions(), clock), service(engine, clock, ServiceOptions()), session(service) {
    session.SetWaker([this](jobs::WaitResult) { woke = true; });
  }
  static jobs::EngineOptions EngineOptions() {
    jobs::EngineOptions o;
    o.max_job_bytes = kMaxJob;
    o.max_jobs = 64;
    o.max_total_bytes = 64 * 1024;
    o.max_tubes = 16;
    return o;
  }
  static beanstalk::Options ServiceOptions() {
    beanstalk::Options o;
    o.version = "fuzz";
    o.output_high_water_bytes = kHighWater;
    return o;
  }

  // Feeds `in` until consumed, the session waits or closes. Returns the bytes consumed.
  std::size_t FeedAll(std::string_view in, std::string& out) {
    std::size_t total = 0;
    while (!in.empty() && !session.Waiting() && !session.ShouldClose()) {
      std::string chunk;
      const std::size_t used = session.Feed(in, chunk);
      if (chunk.size() > kHighWater + kMaxOvershoot) std::abort();
      out += chunk;
      in.remove_prefix(used);
      total += used;
      if (used == 0 && !session.Waiting()) std::abort();  // no progress and no reason
    }
    return total;
  }
};

// `stats` shows pid, CPU time and a random server id: replace each such reply by a placeholder so
// that the two worlds compare equal on everything else.
std::string WithoutServerStats(const std::string& out) {
  std::string result;
  std::size_t pos = 0;
  for (;;) {
    const std::size_t at = out.find("\r\n---\ncurrent-jobs-urgent", pos);
    if (at == std::string::npos) break;
    const std::size_t ok = out.rfind("OK ", at);
    if (ok == std::string::npos || ok < pos) std::abort();
    const std::size_t n = std::strtoul(out.c_str() + ok + 3, nullptr, 10);
    result.append(out, pos, ok - pos).append("STATS");
    pos = at + 2 + n + 2;
    if (pos > out.size()) std::abort();
  }
  return result.append(out, pos, std::string::npos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t piece = 1 + data[0] % 17;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

  World whole;
  std::string out_whole;
  const std::size_t used_whole = whole.FeedAll(input, out_whole);

  World split;
  std::string out_split;
  std::size_t used_split = 0;
  while (used_split < input.size() && !split.session.Waiting() && !split.session.ShouldClose()) {
    const std::string_view rest = input.substr(used_split);
    used_split += split.FeedAll(rest.substr(0, piece), out_split);
  }
  if (WithoutServerStats(out_whole) != WithoutServerStats(out_split)) std::abort();
  if (whole.session.Waiting() != split.session.Waiting()) std::abort();
  if (whole.session.Waiting() && used_whole != used_split) std::abort();
  // Time passes for both alike; nothing may break when it does.
  whole.clock.Advance(std::chrono::seconds(5));
  whole.engine.Tick();
  return 0;
}
