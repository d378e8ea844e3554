// Many threads producing and consuming through one engine: nothing lost, nothing twice, counts
// consistent. Run under TSan (label tsan) to check the locking.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "03_job_queue_worker_mini/engine/engine.hpp"

namespace jobs {
namespace {

using namespace std::chrono_literals;

TEST(EngineConcurrencyTest, ProducersAndWaitingWorkersAgree) {
  core::FakeClock clock;
  Engine engine({}, clock);
  constexpr int kProducers = 3, kWorkers = 3, kPerProducer = 3000;
  std::vector<std::atomic<int>> seen(kProducers * kPerProducer + 1);
  std::atomic<int> done{0};

  std::vector<std::thread> threads;
  threads.reserve(kWorkers + kProducers);
  for (int w = 0; w < kWorkers; ++w) {
    threads.emplace_back([&] {
      const ClientId c = engine.Connect();
      while (done.load() < kProducers * kPerProducer) {
        // Wait for a job through the callback path, as the servers do.
        std::mutex mu;
        std::condition_variable cv;
        std::optional<WaitResult> got;
        ReserveResult r = engine.Reserve(c, 50ms, [&](WaitResult result) {
          std::lock_guard lock(mu);
          got = std::move(result);
          cv.notify_one();
        });
        JobCopy job;
        if (r.end == ReserveEnd::kReserved) {
          job = r.job;
        } else if (r.end == ReserveEnd::kWaiting) {
          std::unique_lock lock(mu);
          // The engine ends every wait: a job, or the timeout that the ticker thread drives.
          cv.wait(lock, [&] { return got.has_value(); });
          if (got->end != WaitEnd::kReserved) continue;
          job = got->job;
        } else {
          continue;
        }
        const int n = std::stoi(job.body);
        seen[n].fetch_add(1);
        ASSERT_EQ(engine.Delete({c, std::nullopt}, job.id).status, Status::kOk);
        done.fetch_add(1);
      }
      engine.Disconnect(c);
    });
  }
  for (int p = 0; p < kProducers; ++p) {
    threads.emplace_back([&, p] {
      const ClientId c = engine.Connect();
      for (int i = 1; i <= kPerProducer; ++i) {
        const std::string body = std::to_string(p * kPerProducer + i);
        PutRequest r;
        r.body = body;
        r.pri = static_cast<std::uint32_t>(i % 7);
        ASSERT_EQ(engine.Put(c, r).status, Status::kOk);
      }
      engine.Disconnect(c);
    });
  }
  // The ticker: moves fake time so waits time out and everyone gets to re-check `done`.
  std::atomic<bool> stop{false};
  std::thread ticker([&] {
    while (!stop.load()) {
      clock.Advance(10ms);
      engine.Tick();
      std::this_thread::yield();
    }
  });
  for (auto& t : threads) t.join();
  stop = true;
  ticker.join();

  for (int n = 1; n <= kProducers * kPerProducer; ++n) ASSERT_EQ(seen[n].load(), 1) << n;
  const EngineStats s = engine.Stats();
  EXPECT_EQ(s.jobs, 0u);
  EXPECT_EQ(s.counters.puts, static_cast<std::uint64_t>(kProducers * kPerProducer));
  EXPECT_EQ(s.counters.deletes, s.counters.puts);
  EXPECT_EQ(s.clients, 0u);
}

}  // namespace
}  // namespace jobs
