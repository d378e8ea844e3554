// What the protocol load generators (memcache_load, beanstalk_load) share, so that the two
// servers they compare are measured the same way: clients on one io_context thread, each with one
// request in flight (a closed loop, like wrk); a 1 s warm-up, then the measured run; one JSON
// result line. A tool writes only its client coroutine:
//
//   bench::LoadRun run;
//   const double seconds = bench::RunMeasured(ioc, run, o.seconds, [&] {
//     for (int i = 0; i < o.connections; ++i) net::co_spawn(ioc, Client(&run, ep), net::detached);
//   });
//   return bench::Report(run, seconds, "ops");
//
// and the client: `co_await bench::Connect(s, ep)`, then while `run->Running()` one request, then
// `run->Done(started)`; on an error `++run->errors` and return.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>

#include "bench/latency_histogram.hpp"
#include "core/async/task.hpp"

namespace bench {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

// What every client of a run updates. One thread runs them all (io_context(1)): no atomics.
struct LoadRun {
  Clock::time_point end;       // clients start no request after this
  bool measuring = false;      // the warm-up is over
  std::uint64_t measured = 0;  // requests (or cycles) completed while measuring
  std::uint64_t all = 0;       // including the warm-up: what the server's CPU time covers
  std::uint64_t errors = 0;
  LatencyHistogram hist;  // of the measured ones, in µs

  bool Running() const { return Clock::now() < end; }
  // One request (or cycle) that started at `started` has completed.
  void Done(Clock::time_point started) {
    ++all;
    if (measuring) {
      ++measured;
      hist.Add(std::chrono::duration<double, std::micro>(Clock::now() - started).count());
    }
  }
};

// Connects `socket` to `endpoint` and turns Nagle off (one small request at a time); false when
// the connect failed. `socket` must outlive the call (await it at once).
inline core::Task<bool> Connect(tcp::socket& socket, tcp::endpoint endpoint) {
  auto [ec] = co_await socket.async_connect(endpoint, core::kUseTuple);
  if (ec) co_return false;
  socket.set_option(tcp::no_delay(true));
  co_return true;
}

// Sets the run's end 1 + `seconds` from now, calls `spawn()` to start the clients on `ioc`, turns
// measuring on after 1 s of warm-up, and runs `ioc` until every client has returned. Returns the
// measured time in seconds.
template <class Spawn>
double RunMeasured(net::io_context& ioc, LoadRun& run, int seconds, Spawn spawn) {
  run.end = Clock::now() + std::chrono::seconds(1 + seconds);
  spawn();
  net::steady_timer warmup(ioc, std::chrono::seconds(1));
  Clock::time_point start;
  warmup.async_wait([&](auto) {
    run.measuring = true;
    start = Clock::now();
  });
  ioc.run();
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Prints the result line, {"<unit>":N,"all_<unit>":N,"<unit>_per_s":R,"p50_us":..,"p99_us":..,
// "errors":N} (the benchmark scripts parse it), and returns the exit status: 0 without errors.
inline int Report(const LoadRun& run, double seconds, const char* unit) {
  std::printf(
      "{\"%s\":%llu,\"all_%s\":%llu,\"%s_per_s\":%.0f,\"p50_us\":%.1f,\"p99_us\":%.1f,"
      "\"errors\":%llu}\n",
      unit, static_cast<unsigned long long>(run.measured), unit,
      static_cast<unsigned long long>(run.all), unit, static_cast<double>(run.measured) / seconds,
      run.hist.Quantile(0.5), run.hist.Quantile(0.99), static_cast<unsigned long long>(run.errors));
  return run.errors == 0 ? 0 : 1;
}

}  // namespace bench
