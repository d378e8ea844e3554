// A bulkhead: at most `max_concurrent` calls to one upstream at a time, so a slow upstream ties up
// a bounded share of this process (the ship's compartments: one flooded, the rest float). Beyond
// that, up to `max_queue` calls wait, first come first served, for at most `max_wait`; anything
// more is rejected at once — a queue without a bound only converts overload into latency and then
// into memory.
//
// The waiting itself is the caller's (an async timer in the pipeline); this class only decides and
// hands permits over. A released permit goes straight to the oldest waiter, never back to the
// pool, so a newcomer cannot barge ahead of a queued call.
#pragma once

#include <chrono>
#include <cstdint>

#include "core/base/clock.hpp"
#include "core/base/mutex.hpp"

namespace reliability {

// Envoy's cluster circuit_breakers default max_requests (1024): the service is an event-loop
// proxy like Envoy, where a call in flight costs a coroutine frame, not a thread, so resilience4j's
// 25 (sized for thread pools) would throttle healthy traffic. Queueing is off by default, as in
// resilience4j (maxWaitDuration 0) and Polly v8's concurrency limiter (QueueLimit 0): a full
// bulkhead sheds load at once instead of adding latency.
struct BulkheadOptions {
  int max_concurrent = 1024;          // calls in flight, >= 1
  int max_queue = 0;                  // calls allowed to wait for a slot, >= 0
  core::Clock::duration max_wait{0};  // how long one may wait; > 0 when max_queue > 0
};

struct BulkheadStats {
  std::int64_t in_use = 0;      // permits held now
  std::int64_t queued = 0;      // waiters now
  std::uint64_t acquired = 0;   // permits granted (at once or after waiting)
  std::uint64_t waited = 0;     // calls that had to queue
  std::uint64_t rejected = 0;   // full and the queue full (or queueing off)
  std::uint64_t timed_out = 0;  // waiters that gave up (max wait, deadline, cancelled)
};

// Thread-safe. Waiters are intrusive (no allocation per wait) and must stay alive until they are
// granted or Cancel() returns.
class Bulkhead {
 public:
  // Somebody waiting for a slot. Granted() runs under the bulkhead's lock, on the releasing
  // thread: it must only record the fact and wake its owner (e.g. post to its executor), never
  // block or call back into the bulkhead.
  class Waiter {
   public:
    virtual void Granted() noexcept = 0;

   protected:
    virtual ~Waiter() = default;

   private:
    friend class Bulkhead;
    Waiter* prev_ = nullptr;
    Waiter* next_ = nullptr;
    bool queued_ = false;
  };

  enum class Admission { kAcquired, kQueued, kRejected };

  explicit Bulkhead(const BulkheadOptions& options) : options_(options) {}

  // kAcquired: the caller holds a permit. kQueued: `waiter` (non-null) is queued and will be
  // Granted() a permit, unless the caller Cancel()s first. kRejected: full (counted).
  Admission TryAcquire(Waiter* waiter);
  // Gives up waiting. true: removed from the queue, no permit. false: it was granted meanwhile —
  // the caller now holds a permit and must Release() it (or use it).
  bool Cancel(Waiter* waiter);
  // Returns a permit: handed to the oldest waiter if any, else freed.
  void Release();

  BulkheadStats Stats() const;
  const BulkheadOptions& options() const noexcept { return options_; }

 private:
  const BulkheadOptions options_;
  // Also guards the queued Waiters' links.
  mutable core::Mutex mu_;
  std::int64_t in_use_ SD_GUARDED_BY(mu_) = 0;
  std::int64_t queued_ SD_GUARDED_BY(mu_) = 0;
  Waiter* head_ SD_GUARDED_BY(mu_) = nullptr;  // oldest
  Waiter* tail_ SD_GUARDED_BY(mu_) = nullptr;
  BulkheadStats stats_ SD_GUARDED_BY(mu_);
};

}  // namespace reliability
