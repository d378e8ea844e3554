// A one-shot event a coroutine awaits and any thread fires: how an engine callback (a waiting
// reserve that got its job) or the log's syncer (a group commit that made a reply durable) resumes
// the coroutine that is waiting for it, on that coroutine's own executor.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>

#include "core/async/task.hpp"

namespace jobs_store {

// Hold it in a shared_ptr: Fire() may run after the waiter is gone, and keeps it alive until then.
class Wakeup : public std::enable_shared_from_this<Wakeup> {
 public:
  explicit Wakeup(const boost::asio::any_io_executor& executor)
      : timer_(executor, boost::asio::steady_timer::time_point::max()) {}

  // Thread-safe: marks the event and wakes the waiter on its executor.
  void Fire() {
    boost::asio::post(timer_.get_executor(), [self = shared_from_this()] {
      self->fired_ = true;
      self->timer_.cancel();
    });
  }
  // Waits until fired (at once if it already was); call from the timer's executor.
  core::Task<void> Wait() {
    while (!fired_) {
      timer_.expires_at(boost::asio::steady_timer::time_point::max());
      co_await timer_.async_wait(core::kUseTuple);
    }
  }
  // Waits until fired or until `deadline`, whichever comes first (at once if already fired); call
  // from the timer's executor. Say fired() afterwards which it was.
  core::Task<void> WaitUntil(boost::asio::steady_timer::time_point deadline) {
    if (fired_) co_return;
    timer_.expires_at(deadline);
    co_await timer_.async_wait(core::kUseTuple);
  }
  // Re-arms for another wait (executor thread only).
  void Reset() { fired_ = false; }
  // Cancels a pending Wait (it returns; fired() stays false).
  void Cancel() { timer_.cancel(); }
  bool fired() const noexcept { return fired_; }

 private:
  boost::asio::steady_timer timer_;
  bool fired_ = false;
};

}  // namespace jobs_store
