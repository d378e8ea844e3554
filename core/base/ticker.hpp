// A background task on a fixed period: the cache's active expiry, the limiter's sweep of idle keys.
//
// The seed's cleanup goroutine could never stop; this one stops at once (Stop wakes the sleeping
// thread through a condition variable, then joins) and is stopped by its destructor at the latest.
// A thread of its own rather than an Asio timer keeps domain maintenance off the request threads
// and lets domain code use it without including Asio.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

#include "core/base/mutex.hpp"

namespace core {

class Ticker {
 public:
  // Starts a thread that calls `task` every `interval` (first call after one interval) until
  // Stop(). `task` runs on that thread only, never concurrently with itself.
  Ticker(std::chrono::milliseconds interval, std::function<void()> task)
      : interval_(interval), task_(std::move(task)), thread_([this] { Loop(); }) {}
  ~Ticker() { Stop(); }
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;

  // Wakes the thread and waits for it to finish its current run, if any. Idempotent, thread-safe.
  void Stop() {
    {
      MutexLock lock(mu_);
      stopped_ = true;
    }
    wake_.NotifyAll();
    MutexLock join_lock(join_mu_);
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Loop() {
    MutexLock lock(mu_);
    for (;;) {
      // Sleeps one interval unless stopped meanwhile (std's wait_for with a predicate).
      const auto deadline = std::chrono::steady_clock::now() + interval_;
      while (!stopped_ && wake_.WaitUntil(mu_, deadline) == std::cv_status::no_timeout) {
      }
      if (stopped_) return;
      lock.Unlock();
      task_();
      lock.Lock();
    }
  }

  const std::chrono::milliseconds interval_;
  const std::function<void()> task_;
  Mutex mu_;
  CondVar wake_;
  bool stopped_ SD_GUARDED_BY(mu_) = false;
  Mutex join_mu_;
  std::thread thread_ SD_GUARDED_BY(join_mu_);  // last: started after every member it uses exists
};

}  // namespace core
