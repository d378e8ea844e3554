// The seed's lesson as an experiment: a producer twice as fast as the workers, with an unbounded
// queue, a bounded one that blocks the producer, and a bounded one that rejects. Every 100 ms it
// records the queue depth (memory: depth × job size) and the latency of the jobs finished in that
// interval, measured from when the producer wanted to submit them (so time spent blocked counts).
// Prints CSV; bench/plot_backpressure.py draws it.
//
//   jobqueue_backpressure [--seconds 5] > backpressure.csv
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "03_job_queue_worker_mini/lesson/work_queue.hpp"
#include "03_job_queue_worker_mini/lesson/worker_pool.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr std::size_t kJobBytes = 1024;  // each job carries a 1 KiB payload
constexpr int kWorkers = 2;
constexpr auto kWork = 1ms;            // per job: the workers do 2000 jobs/s
constexpr auto kProduceEvery = 250us;  // the producer wants 4000 jobs/s
constexpr std::size_t kBound = 200;

struct Job {
  Clock::time_point wanted;  // when the producer meant to submit it
  std::vector<char> payload;
};

struct Interval {
  std::mutex mu;
  std::vector<double> latencies_ms;
};

void Run(const char* policy, std::chrono::seconds duration) {
  const bool bounded = std::strcmp(policy, "unbounded") != 0;
  const bool block = std::strcmp(policy, "block") == 0;
  lesson::WorkQueue<Job> queue(bounded ? kBound : std::size_t{1} << 40);
  Interval interval;
  std::atomic<long> completed{0};
  lesson::WorkerPool<Job> pool(queue, kWorkers, [&](std::size_t, Job& job) {
    std::this_thread::sleep_for(kWork);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - job.wanted).count();
    std::lock_guard lock(interval.mu);
    interval.latencies_ms.push_back(ms);
    completed.fetch_add(1, std::memory_order_relaxed);
  });

  std::atomic<long> accepted{0}, rejected{0};
  std::atomic<bool> producing{true};
  const auto start = Clock::now();
  std::thread producer([&] {
    auto next = start;
    while (Clock::now() - start < duration) {
      Job job{next, std::vector<char>(kJobBytes, 'j')};
      const lesson::PushResult r = block ? queue.PushFor(job, 10s) : queue.TryPush(job);
      (r == lesson::PushResult::kOk ? accepted : rejected).fetch_add(1, std::memory_order_relaxed);
      next += kProduceEvery;
      std::this_thread::sleep_until(std::max(next, Clock::now()));
      if (block)
        next = std::max(next, Clock::now() - kProduceEvery);  // a blocked producer falls behind
    }
    producing = false;
  });
  // Sample until the producer stops and the queue has drained (bounded by 4 × the duration).
  for (auto t = start + 100ms; producing || queue.Stats().depth > 0; t += 100ms) {
    std::this_thread::sleep_until(t);
    if (Clock::now() - start > 4 * duration) break;
    std::vector<double> lat;
    {
      std::lock_guard lock(interval.mu);
      lat.swap(interval.latencies_ms);
    }
    std::sort(lat.begin(), lat.end());
    const double p50 = lat.empty() ? 0 : lat[lat.size() / 2];
    const double p99 = lat.empty() ? 0 : lat[lat.size() * 99 / 100];
    const std::size_t depth = queue.Stats().depth;
    std::printf("%s,%.1f,%zu,%zu,%ld,%ld,%ld,%.1f,%.1f\n", policy,
                std::chrono::duration<double>(t - start).count(), depth, depth * kJobBytes,
                accepted.load(), rejected.load(), completed.load(), p50, p99);
    std::fflush(stdout);
  }
  producer.join();
  queue.Close();
  pool.Drain();
}

}  // namespace

int main(int argc, char** argv) {
  long seconds = 5;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--seconds") seconds = std::max(1L, std::atol(argv[i + 1]));
  }
  std::printf("policy,t_s,depth,queued_bytes,accepted,rejected,completed,p50_ms,p99_ms\n");
  for (const char* policy : {"unbounded", "block", "reject"})
    Run(policy, std::chrono::seconds(seconds));
  return 0;
}
