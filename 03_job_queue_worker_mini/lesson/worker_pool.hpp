// N worker threads draining one WorkQueue: the seed's `for i := 0; i < 3; i++ { go worker(...) }`
// plus `wg.Wait()`.
//
// The pool owns no queue policy: producers decide what "full" means (WorkQueue::TryPush or
// PushFor). Shutdown is the channel idiom made explicit: close the queue ("no more work"), then
// Drain() waits until every worker has finished the items already accepted, so nothing that was
// acknowledged to a producer is dropped.
#pragma once

#include <cstddef>
#include <functional>
#include <thread>
#include <utility>
#include <vector>

#include "03_job_queue_worker_mini/lesson/work_queue.hpp"

namespace lesson {

template <class T>
class WorkerPool {
 public:
  // Called on a worker thread with the worker's number (1..N) and the item. Must be thread-safe
  // across workers; an exception escaping it terminates the process (handle errors inside).
  using Handler = std::function<void(std::size_t worker, T& item)>;

  // Starts `workers` threads (at least 1) popping from `queue`, which must outlive the pool.
  WorkerPool(WorkQueue<T>& queue, std::size_t workers, Handler handler)
      : queue_(queue), handler_(std::move(handler)) {
    if (workers == 0) workers = 1;
    threads_.reserve(workers);
    for (std::size_t i = 1; i <= workers; ++i) threads_.emplace_back([this, i] { Run(i); });
  }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  // Closes the queue and drains: destroying a pool never abandons accepted work.
  ~WorkerPool() {
    queue_.Close();
    Drain();
  }

  // Waits until the queue is closed and empty and every worker has returned. Call after
  // queue.Close() (otherwise it waits for someone else to close it). Idempotent; call it from one
  // thread (the owner).
  void Drain() {
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

 private:
  void Run(std::size_t worker) {
    while (auto item = queue_.Pop()) handler_(worker, *item);
  }

  WorkQueue<T>& queue_;
  const Handler handler_;
  std::vector<std::thread> threads_;
};

}  // namespace lesson
