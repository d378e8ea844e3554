#include "03_job_queue_worker_mini/lesson/seed_demo.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>

#include "03_job_queue_worker_mini/lesson/worker_pool.hpp"

namespace lesson {
namespace {

// Serializes lines from the producer and the workers and stamps them with the time since start.
class Timeline {
 public:
  Timeline(std::ostream& out, const WorkQueue<int>& queue)
      : out_(out), queue_(queue), start_(std::chrono::steady_clock::now()) {}

  void Say(const std::string& who, const std::string& what) {
    const double t =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const QueueStats s = queue_.Stats();
    char line[160];
    std::snprintf(line, sizeof line, "  t=%7.3fs  %-9s  %-44s  buffer %zu/%zu\n", t, who.c_str(),
                  what.c_str(), s.depth, s.capacity);
    std::lock_guard lock(mu_);
    out_ << line;
  }

 private:
  std::ostream& out_;
  const WorkQueue<int>& queue_;
  const std::chrono::steady_clock::time_point start_;
  std::mutex mu_;
};

}  // namespace

DemoReport RunSeedDemo(const DemoOptions& options, std::ostream& out) {
  WorkQueue<int> queue(options.capacity);
  Timeline timeline(out, queue);
  DemoReport report;
  std::atomic<int> processed{0};
  const bool block = options.policy == FullPolicy::kBlock;

  out << "seed demo: " << options.jobs << " jobs, " << options.workers << " workers, buffer "
      << options.capacity << ", policy " << (block ? "block" : "reject") << "\n";
  {
    WorkerPool<int> pool(queue, options.workers, [&](std::size_t worker, int& job) {
      const std::string who = "worker " + std::to_string(worker);
      timeline.Say(who, "starts job " + std::to_string(job));
      if (options.work) {
        options.work(job, queue);
      } else {
        std::this_thread::sleep_for(options.job_time);
      }
      processed.fetch_add(1, std::memory_order_relaxed);
      timeline.Say(who, "finished job " + std::to_string(job));
    });

    for (int job = 1; job <= options.jobs; ++job) {
      int item = job;
      const std::string name = "job " + std::to_string(job);
      PushResult r = queue.TryPush(item);
      if (r == PushResult::kFull && block) {
        ++report.blocked;
        timeline.Say("producer", "buffer full: BLOCKED on " + name);
        const auto waited_from = std::chrono::steady_clock::now();
        r = queue.PushFor(item, options.max_block);
        const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - waited_from);
        if (r == PushResult::kOk) {
          timeline.Say("producer", "unblocked, queued " + name + " after " +
                                       std::to_string(waited.count()) + " ms");
        }
      } else if (r == PushResult::kOk) {
        timeline.Say("producer", "queued " + name);
      }
      if (r == PushResult::kOk) {
        ++report.accepted;
      } else {
        ++report.rejected;
        timeline.Say("producer",
                     (r == PushResult::kFull ? "buffer full: REJECTED " : "gave up on ") + name);
      }
    }
    timeline.Say("producer", "close: no more work; waiting for the workers to drain");
    queue.Close();
    pool.Drain();
  }
  report.processed = processed.load();
  report.max_depth = queue.Stats().max_depth;
  out << "done: " << report.accepted << " accepted, " << report.processed << " processed, "
      << report.blocked << " producer blocks, " << report.rejected << " rejected, max buffer "
      << report.max_depth << "/" << options.capacity << "\n";
  return report;
}

}  // namespace lesson
