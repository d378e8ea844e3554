// The shortener's background work, on a thread and io_context of its own (never a network
// thread): flushing buffered visits to the store, probing the store for /readyz, and the link
// cache's active expiry.
//
// The flusher wakes every tick (a tenth of the flush interval, at most 100 ms) and writes when the
// interval has passed or the buffer is half full, so a burst of clicks is written early instead of
// being dropped. Stop() ends both loops and writes what is still buffered (the last flush), then
// joins: call it after the HTTP server's threads have stopped, so no visit arrives after it.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <mutex>
#include <thread>

#include "02_url_shortener_service_mini/service/link_cache.hpp"
#include "02_url_shortener_service_mini/service/store_health.hpp"
#include "02_url_shortener_service_mini/service/visit_recorder.hpp"
#include "02_url_shortener_service_mini/store/link_store.hpp"
#include "core/async/task.hpp"

namespace shortener {

struct BackgroundOptions {
  std::chrono::milliseconds flush_interval{1000};  // --visit-flush-interval
  std::chrono::milliseconds probe_interval{1000};  // --store-check-interval
};

class BackgroundTasks {
 public:
  // Borrowed; all must outlive Stop().
  BackgroundTasks(BackgroundOptions options, LinkStore& store, VisitRecorder& visits,
                  StoreHealth& health, LinkCache& cache);
  // Stop()s.
  ~BackgroundTasks();
  BackgroundTasks(const BackgroundTasks&) = delete;
  BackgroundTasks& operator=(const BackgroundTasks&) = delete;

  // Starts the thread and both loops. Call once.
  void Start();
  // Stops the loops, flushes the visits still buffered, joins. Idempotent; safe without Start.
  void Stop();

 private:
  core::Task<void> FlushLoop();
  core::Task<void> ProbeLoop();

  const BackgroundOptions options_;
  LinkStore& store_;
  VisitRecorder& visits_;
  StoreHealth& health_;
  LinkCache& cache_;
  boost::asio::io_context ioc_{1};
  // Touched only on ioc_'s thread (Stop() posts there to cancel them).
  boost::asio::steady_timer flush_timer_{ioc_};
  boost::asio::steady_timer probe_timer_{ioc_};
  std::atomic<bool> stopping_{false};
  std::once_flag stop_once_;
  std::thread thread_;
};

}  // namespace shortener
