// A closed-loop load generator for the memcached text protocol, so sd-cache and memcached are
// driven by the same client: N connections, each sending one request and waiting for its reply
// (like wrk for HTTP), a get/set mix over a fixed key space, fixed value size. Prints one JSON
// line: operations, ops/s, p50/p99 latency in µs, errors.
//
//   memcache_load --port 11211 --connections 50 --seconds 5 --keys 100000 --value-bytes 32
#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdio>
#include <string>

#include "bench/closed_loop.hpp"
#include "core/async/task.hpp"

namespace {

namespace net = bench::net;
using bench::Clock;
using bench::tcp;
using core::kUseTuple;

struct Options {
  std::string host = "127.0.0.1";
  int port = 11211;
  int connections = 50;
  int seconds = 5;
  int keys = 100000;
  int value_bytes = 32;
  double get_ratio = 0.9;
  bool prefill_only = false;
};

struct Shared {
  Options o;
  bench::LoadRun run;
};

std::uint64_t Next(std::uint64_t& s) {  // xorshift64*
  s ^= s >> 12;
  s ^= s << 25;
  s ^= s >> 27;
  return s * 2685821657736338717ULL;
}

// Fixed 16-byte keys ("k" + 15 digits), the size the memory comparison is quoted for.
std::string Key(std::uint64_t k) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "k%015llu", static_cast<unsigned long long>(k));
  return buf;
}

core::Task<void> Client(Shared* sh, tcp::endpoint ep, std::uint64_t seed, bool prefill, int first,
                        int step) {
  auto ex = co_await net::this_coro::executor;
  tcp::socket s(ex);
  const bool connected = co_await bench::Connect(s, ep);
  if (!connected) {
    ++sh->run.errors;
    co_return;
  }
  net::streambuf in;
  const std::string value(static_cast<std::size_t>(sh->o.value_bytes), 'x');
  std::string req;
  if (prefill) {  // each prefill client stores every step-th key, one request at a time
    for (int k = first; k < sh->o.keys; k += step) {
      req = "set " + Key(k) + " 0 0 " + std::to_string(value.size()) + "\r\n" + value + "\r\n";
      auto [wec, wn] = co_await net::async_write(s, net::buffer(req), kUseTuple);
      auto [rec, rn] = co_await net::async_read_until(s, in, "\r\n", kUseTuple);
      if (wec || rec) {
        ++sh->run.errors;
        co_return;
      }
      in.consume(rn);
    }
    co_return;
  }
  std::uint64_t rng = seed;
  while (sh->run.Running()) {
    const std::uint64_t r = Next(rng);
    const std::uint64_t k = r % static_cast<std::uint64_t>(sh->o.keys);
    const bool get = static_cast<double>((r >> 32) % 10000) / 10000.0 < sh->o.get_ratio;
    if (get) {
      req = "get " + Key(k) + "\r\n";
    } else {
      req = "set " + Key(k) + " 0 0 " + std::to_string(value.size()) + "\r\n" + value + "\r\n";
    }
    const auto t0 = Clock::now();
    auto [wec, wn] = co_await net::async_write(s, net::buffer(req), kUseTuple);
    if (wec) {
      ++sh->run.errors;
      co_return;
    }
    const char* terminator = get ? "END\r\n" : "\r\n";
    auto [rec, rn] = co_await net::async_read_until(s, in, terminator, kUseTuple);
    if (rec) {
      ++sh->run.errors;
      co_return;
    }
    in.consume(rn);
    sh->run.Done(t0);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app("memcached-protocol load generator");
  app.add_option("--host", o.host);
  app.add_option("--port", o.port);
  app.add_option("--connections", o.connections);
  app.add_option("--seconds", o.seconds);
  app.add_option("--keys", o.keys);
  app.add_option("--value-bytes", o.value_bytes);
  app.add_option("--get-ratio", o.get_ratio);
  app.add_flag("--prefill-only", o.prefill_only, "Store every key once, then exit");
  CLI11_PARSE(app, argc, argv);

  net::io_context ioc(1);
  tcp::endpoint ep(net::ip::make_address(o.host), static_cast<std::uint16_t>(o.port));
  Shared sh;
  sh.o = o;
  for (int i = 0; i < 16; ++i) net::co_spawn(ioc, Client(&sh, ep, 0, true, i, 16), net::detached);
  ioc.run();
  ioc.restart();
  if (o.prefill_only) {
    std::printf("{\"stored\":%d,\"errors\":%llu}\n", o.keys,
                static_cast<unsigned long long>(sh.run.errors));
    return sh.run.errors == 0 ? 0 : 1;
  }

  const double seconds = bench::RunMeasured(ioc, sh.run, o.seconds, [&] {
    for (int i = 0; i < o.connections; ++i) {
      net::co_spawn(ioc, Client(&sh, ep, 0x9E3779B97F4A7C15ULL * (i + 1), false, 0, 1),
                    net::detached);
    }
  });
  return bench::Report(sh.run, seconds, "ops");
}
