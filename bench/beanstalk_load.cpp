// A closed-loop load generator for the beanstalkd protocol, so sd-jobqueue and beanstalkd are
// driven by the same client: N connections, each running put → reserve → delete cycles, one
// request in flight at a time (a worker that produces and consumes). Prints one JSON line: cycles,
// cycles/s, p50/p99 cycle latency in µs, errors. --fill N instead stores N jobs (pipelined) and
// exits: the memory-per-job measurement.
//
//   beanstalk_load --port 11300 --connections 50 --seconds 5 --body-bytes 64
#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
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
  int port = 11300;
  int connections = 50;
  int seconds = 5;
  int body_bytes = 64;
  long fill = 0;
};

struct Shared {
  Options o;
  bench::LoadRun run;
};

// One request/reply: writes `req`, reads one line (and the job body if the line announces one).
core::Task<bool> Call(tcp::socket& s, net::streambuf& in, const std::string& req,
                      std::string* line) {
  auto [wec, wn] = co_await net::async_write(s, net::buffer(req), kUseTuple);
  if (wec) co_return false;
  auto [rec, rn] = co_await net::async_read_until(s, in, "\r\n", kUseTuple);
  if (rec) co_return false;
  line->assign(net::buffers_begin(in.data()), net::buffers_begin(in.data()) + rn);
  in.consume(rn);
  if (line->rfind("RESERVED ", 0) == 0) {
    const std::size_t bytes = std::stoul(line->substr(line->rfind(' ') + 1)) + 2;
    if (in.size() < bytes) {
      auto [bec, bn] =
          co_await net::async_read(s, in, net::transfer_at_least(bytes - in.size()), kUseTuple);
      if (bec) co_return false;
    }
    in.consume(bytes);
  }
  co_return true;
}

core::Task<void> Worker(Shared* sh, tcp::endpoint ep, long fill) {
  auto ex = co_await net::this_coro::executor;
  tcp::socket s(ex);
  const bool connected = co_await bench::Connect(s, ep);
  if (!connected) {
    ++sh->run.errors;
    co_return;
  }
  net::streambuf in;
  const std::string body(static_cast<std::size_t>(sh->o.body_bytes), 'x');
  const std::string put = "put 100 0 60 " + std::to_string(body.size()) + "\r\n" + body + "\r\n";
  std::string line;
  if (fill > 0) {  // pipelined batches of 100 puts
    while (fill > 0) {
      const long n = std::min(fill, 100L);
      std::string batch;
      for (long i = 0; i < n; ++i) batch += put;
      auto [wec, wn] = co_await net::async_write(s, net::buffer(batch), kUseTuple);
      if (wec) co_return;
      for (long i = 0; i < n; ++i) {
        auto [rec, rn] = co_await net::async_read_until(s, in, "\r\n", kUseTuple);
        if (rec) co_return;
        if (std::string(net::buffers_begin(in.data()), net::buffers_begin(in.data()) + 8) !=
            "INSERTED") {
          ++sh->run.errors;
        }
        in.consume(rn);
      }
      fill -= n;
    }
    co_return;
  }
  while (sh->run.Running()) {
    const auto t0 = Clock::now();
    bool ok = co_await Call(s, in, put, &line);
    ok = ok && line.rfind("INSERTED ", 0) == 0;
    if (ok) ok = co_await Call(s, in, "reserve\r\n", &line);
    ok = ok && line.rfind("RESERVED ", 0) == 0;
    if (ok) {
      const std::string id = line.substr(9, line.find(' ', 9) - 9);
      ok = co_await Call(s, in, "delete " + id + "\r\n", &line);
      ok = ok && line == "DELETED\r\n";
    }
    if (!ok) {
      ++sh->run.errors;
      co_return;
    }
    sh->run.Done(t0);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app("beanstalkd-protocol load generator");
  app.add_option("--host", o.host);
  app.add_option("--port", o.port);
  app.add_option("--connections", o.connections);
  app.add_option("--seconds", o.seconds);
  app.add_option("--body-bytes", o.body_bytes);
  app.add_option("--fill", o.fill, "Store this many jobs (pipelined), then exit");
  CLI11_PARSE(app, argc, argv);

  net::io_context ioc(1);
  tcp::endpoint ep(net::ip::make_address(o.host), static_cast<std::uint16_t>(o.port));
  Shared sh;
  sh.o = o;
  if (o.fill > 0) {
    constexpr int kFillers = 8;
    for (int i = 0; i < kFillers; ++i) {
      net::co_spawn(ioc, Worker(&sh, ep, o.fill / kFillers + (i < o.fill % kFillers ? 1 : 0)),
                    net::detached);
    }
    ioc.run();
    std::printf("{\"stored\":%ld,\"errors\":%llu}\n", o.fill,
                static_cast<unsigned long long>(sh.run.errors));
    return sh.run.errors == 0 ? 0 : 1;
  }
  const double seconds = bench::RunMeasured(ioc, sh.run, o.seconds, [&] {
    for (int i = 0; i < o.connections; ++i) net::co_spawn(ioc, Worker(&sh, ep, 0), net::detached);
  });
  return bench::Report(sh.run, seconds, "cycles");
}
