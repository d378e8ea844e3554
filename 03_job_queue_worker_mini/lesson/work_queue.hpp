// The seed's lesson in one class: a bounded buffer between producers and workers.
//
// The Go original was `make(chan Job, 4)`: a full channel blocks the producer, `close` means "no
// more work". Here the full case is an explicit choice made per call — wait up to a deadline
// (PushFor) or refuse at once (TryPush) — because "block forever" is how an overloaded service
// stops answering, and "grow forever" is how it runs out of memory. Close() wakes everyone:
// blocked producers get kClosed, workers drain what is left and then see the end (Pop → nullopt).
// Written with std::mutex and std::condition_variable's predicate waits on purpose: they are the
// idiom this lesson teaches, so the thread-safety check (core/base/mutex.hpp) does not see inside.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

namespace lesson {

enum class PushResult {
  kOk,        // queued
  kFull,      // TryPush on a full queue: rejected, the caller keeps the item
  kTimedOut,  // PushFor waited its whole budget and the queue stayed full
  kClosed,    // the queue was closed (before or while waiting)
};

// Counters for tests, metrics and the demo's timeline. A consistent snapshot (taken under the
// lock).
struct QueueStats {
  std::size_t depth = 0;
  std::size_t capacity = 0;
  std::size_t blocked_producers = 0;  // inside PushFor right now, waiting for room
  std::uint64_t pushed = 0;
  std::uint64_t popped = 0;
  std::uint64_t rejected = 0;  // TryPush → kFull
  std::uint64_t timed_out = 0;
  std::size_t max_depth = 0;
  bool closed = false;
};

// A FIFO of at most `capacity` items. Thread-safe: any number of producers and consumers.
template <class T>
class WorkQueue {
 public:
  // `capacity` must be at least 1 (a zero-size buffer would be a rendezvous, a different lesson).
  explicit WorkQueue(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Queues `item` if there is room now; otherwise kFull (or kClosed) and `item` is untouched.
  PushResult TryPush(T& item) {
    std::lock_guard lock(mu_);
    if (closed_) return PushResult::kClosed;
    if (items_.size() >= capacity_) {
      ++rejected_;
      return PushResult::kFull;
    }
    PushLocked(std::move(item));
    return PushResult::kOk;
  }

  // Queues `item`, waiting up to `max_wait` for room (backpressure: the producer slows down to the
  // workers' pace). On kTimedOut / kClosed `item` is untouched.
  PushResult PushFor(T& item, std::chrono::nanoseconds max_wait) {
    std::unique_lock lock(mu_);
    if (!closed_ && items_.size() >= capacity_) {
      ++blocked_;
      const bool room = not_full_.wait_for(lock, max_wait,
                                           [this] { return closed_ || items_.size() < capacity_; });
      --blocked_;
      if (!room) {
        ++timed_out_;
        return PushResult::kTimedOut;
      }
    }
    if (closed_) return PushResult::kClosed;
    PushLocked(std::move(item));
    return PushResult::kOk;
  }

  // The oldest item, waiting for one if the queue is empty and open. nullopt once the queue is
  // closed and empty: a worker's signal to stop.
  std::optional<T> Pop() {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [this] { return closed_ || !items_.empty(); });
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    ++popped_;
    lock.unlock();
    not_full_.notify_one();
    return item;
  }

  // No more work: later pushes fail with kClosed, blocked producers wake with kClosed, and Pop
  // returns the remaining items, then nullopt. Idempotent.
  void Close() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    not_full_.notify_all();
    not_empty_.notify_all();
  }

  QueueStats Stats() const {
    std::lock_guard lock(mu_);
    return QueueStats{items_.size(), capacity_,  blocked_,   pushed_, popped_,
                      rejected_,     timed_out_, max_depth_, closed_};
  }

 private:
  void PushLocked(T&& item) {
    items_.push_back(std::move(item));
    ++pushed_;
    if (items_.size() > max_depth_) max_depth_ = items_.size();
    not_empty_.notify_one();
  }

  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<T> items_;
  bool closed_ = false;
  std::size_t blocked_ = 0;
  std::uint64_t pushed_ = 0;
  std::uint64_t popped_ = 0;
  std::uint64_t rejected_ = 0;
  std::uint64_t timed_out_ = 0;
  std::size_t max_depth_ = 0;
};

}  // namespace lesson
