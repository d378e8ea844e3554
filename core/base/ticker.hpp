// A background task on a fixed period: the cache's active expiry, the limiter's sweep of idle keys.
//
// The seed's cleanup goroutine could never stop; this one stops at once (Stop wakes the sleeping
// thread through a condition variable, then joins) and is stopped by its destructor at the latest.
// A thread of its own rather than an Asio timer keeps domain maintenance off the request threads
// and lets domain code use it without including Asio.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

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
      std::lock_guard lock(mu_);
      stopped_ = true;
    }
    wake_.notify_all();
    std::lock_guard join_lock(join_mu_);
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Loop() {
    std::unique_lock lock(mu_);
    while (!wake_.wait_for(lock, interval_, [this] { return stopped_; })) {
      lock.unlock();
      task_();
      lock.lock();
    }
  }

  const std::chrono::milliseconds interval_;
  const std::function<void()> task_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopped_ = false;
  std::mutex join_mu_;
  std::thread thread_;  // last: started after every member it uses exists
};

}  // namespace core
