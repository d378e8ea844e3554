// The engine and the protocol state machine in-process, no sockets: what one put → reserve →
// delete cycle costs under the one lock, with an empty queue and with a million jobs queued
// (deeper heaps, a larger table), and through the beanstalkd session (parsing + replies).
#include <benchmark/benchmark.h>

#include <string>

#include "03_job_queue_worker_mini/engine/engine.hpp"
#include "03_job_queue_worker_mini/protocol/beanstalk_session.hpp"
#include "core/base/clock.hpp"

namespace {

using namespace std::chrono_literals;

void Cycle(jobs::Engine& engine, jobs::ClientId c, const jobs::PutRequest& r) {
  const jobs::PutResult p = engine.Put(c, r);
  const jobs::ReserveResult got = engine.Reserve(c, 0s, nullptr);
  benchmark::DoNotOptimize(engine.Delete({c, std::nullopt}, got.job.id));
  benchmark::DoNotOptimize(p);
}

void BM_EnginePutReserveDelete(benchmark::State& state) {
  core::FakeClock clock;
  jobs::EngineOptions o;
  o.max_jobs = 2'000'000;
  jobs::Engine engine(o, clock);
  const jobs::ClientId c = engine.Connect();
  jobs::PutRequest r;
  const std::string body(64, 'x');
  r.body = body;
  // Jobs already queued in another tube: the cycle's own tube stays shallow, the table grows.
  const jobs::ClientId filler = engine.Connect();
  engine.Use(filler, "backlog");
  for (std::int64_t i = 0; i < state.range(0); ++i) engine.Put(filler, r);
  for (auto _ : state) Cycle(engine, c, r);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EnginePutReserveDelete)->Arg(0)->Arg(1'000'000);

void BM_SessionPutReserveDelete(benchmark::State& state) {
  core::FakeClock clock;
  jobs::Engine engine({}, clock);
  beanstalk::Service service(engine, clock);
  beanstalk::Session session(service);
  std::string out;
  const std::string put = "put 100 0 60 64\r\n" + std::string(64, 'x') + "\r\nreserve\r\n";
  for (auto _ : state) {
    out.clear();
    session.Feed(put, out);
    // "INSERTED <id>\r\nRESERVED <id> 64\r\n...": delete the id just reserved.
    const std::size_t at = out.find("RESERVED ") + 9;
    const std::string del = "delete " + out.substr(at, out.find(' ', at) - at) + "\r\n";
    session.Feed(del, out);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SessionPutReserveDelete);

}  // namespace

BENCHMARK_MAIN();
