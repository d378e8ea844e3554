// One call's state machine, the engine behind Pipeline::Execute. Internal: use Pipeline.
//
// Execute's coroutine owns a Call and loops: Step() decides everything that can be decided now
// (start the first attempt, time one out, hedge, schedule or start a retry, finish), then the
// coroutine sleeps on one timer until the next deadline or until an attempt reports back (its
// completion cancels that timer). None of Call's methods suspends, so all decisions are plain code
// on the call's executor, and the typed parts (the operation, its result) stay in the template.
#pragma once

#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/cancellation_state.hpp>
#include <exception>
#include <memory>
#include <optional>

#include "06_reliability_patterns_mini/pipeline/call_trace.hpp"
#include "06_reliability_patterns_mini/pipeline/timer_driver.hpp"
#include "06_reliability_patterns_mini/policy/backoff.hpp"
#include "06_reliability_patterns_mini/policy/circuit_breaker.hpp"
#include "06_reliability_patterns_mini/policy/classify.hpp"
#include "06_reliability_patterns_mini/policy/pipeline_options.hpp"
#include "core/async/task.hpp"
#include "core/base/error.hpp"

namespace reliability {

class Pipeline;
using core::Task;

// What an operation is told about the attempt it is making.
struct Attempt {
  int number = 1;                   // 1-based, in start order
  bool hedge = false;               // a hedged duplicate of a still-running attempt
  TimePoint deadline;               // when the pipeline will cancel it
  core::Clock::duration timeout{};  // deadline − start: what to announce downstream
};

struct CallOptions {
  // The caller's own deadline (an inbound X-Request-Timeout-Ms, a route's budget); the call ends
  // at this or at start + timeout.total, whichever is sooner.
  TimePoint deadline = TimePoint::max();
  // Keep the per-attempt trace (off for callers that never look at it: no allocation).
  bool trace = true;
  // The operation ends by Attempt::deadline by itself (it passes Attempt::timeout on, as CallHttp
  // does to core::HttpClient). Then, unless hedging needs two attempts at once, the pipeline runs
  // each attempt inside its own coroutine instead of spawning a cancellable child and arming a
  // timer for it — the happy path costs a frame, not a spawn. The caller's cancellation still
  // reaches the operation (it runs on the caller's cancellation slot); only an operation that
  // overruns its deadline is no longer cut off by the pipeline.
  bool operation_honours_deadline = false;
};

inline constexpr int kMaxAttemptsPerCall = kMaxAttempts + kMaxHedges;

namespace detail {

// Starts the typed operation for one attempt (the template's side of the engine).
class AttemptSpawner {
 public:
  // Must co_spawn the attempt on the call's executor with `slot` bound as its cancellation slot,
  // and call Call::OnDone(index, ...) exactly once from its completion, on that executor.
  virtual void Spawn(int index, const Attempt& attempt, net::cancellation_slot slot) = 0;
  // How the caller's classifier sees an attempt the pipeline gave up on (a timeout) or that threw.
  virtual Classification Classify(const core::Error& error) = 0;

 protected:
  ~AttemptSpawner() = default;
};

class Call {
 public:
  Call(Pipeline& p, AttemptSpawner& spawner, const CallOptions& options,
       const net::any_io_executor& ex);
  ~Call();
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;

  // The bulkhead, before anything else: true when the call may go on without waiting (or was
  // refused: then finished() is true); false when it must wait in the queue (WaitForSlot).
  bool TryEnter();
  // Waits for a queued slot, at most max_wait and never past the deadline or a cancellation.
  Task<void> WaitForSlot(net::cancellation_state cancel_state);
  // One pass of decisions now. Returns when to look again.
  TimePoint Step(bool caller_cancelled);
  // True once the call is decided and every attempt has reported back.
  bool Done() const noexcept { return finished_ && running_ == 0; }
  // Arms the wake-up timer for the next await.
  void Arm(TimePoint when);
  net::steady_timer& wake() noexcept { return wake_; }
  // After Done(): frees the bulkhead slot and closes the trace.
  void End();

  // From an attempt's completion, on the call's executor.
  void OnDone(int index, std::exception_ptr e, const Classification& c);

  bool failed() const noexcept { return error_.has_value(); }
  core::Error TakeError() { return std::move(*error_); }
  int final_attempt() const noexcept { return final_; }
  // The error that replaces the final attempt's own result (it timed out or threw), if any.
  std::optional<core::Error> TakeFinalError();
  CallTrace TakeTrace() { return std::move(trace_); }

 private:
  struct AttemptState {
    Attempt info;
    BreakerPermit permit;
    TimePoint start;
    net::cancellation_signal signal;
    bool running = true;               // its coroutine has not reported back yet
    bool decided = false;              // its outcome is known (reported, timed out or abandoned)
    std::optional<core::Error> error;  // replaces its own result (timeout, exception)
    Classification cls;
  };
  class QueueWait;

  TimePoint Now() const;
  AttemptState& At(int index) { return *attempts_[static_cast<std::size_t>(index)]; }
  AttemptRecord* Record(int index);
  bool TryStart(bool hedge, TimePoint now, Refusal& why);
  void StartFirst(TimePoint now);
  void ScheduleHedge(TimePoint now);
  void StartHedge(TimePoint now);
  void ScheduleRetry(TimePoint now);
  void StartRetry(TimePoint now);
  void TimeOut(int index, TimePoint now);
  void Decide(int index, const Classification& c, TimePoint now);
  void FinishWith(int index, std::string_view ended_by);
  void Refuse(Refusal r, core::Error e, std::string_view ended_by);
  void AbandonLive(TimePoint now);

  Pipeline& p_;
  AttemptSpawner& spawner_;
  const bool keep_trace_;
  net::steady_timer wake_;
  Backoff backoff_;
  const TimePoint start_;
  TimePoint last_now_;  // the clock at the latest decision
  const TimePoint deadline_;
  std::array<std::optional<AttemptState>, kMaxAttemptsPerCall> attempts_;
  int count_ = 0;      // attempts started
  int primaries_ = 1;  // first try and retries (not hedges); the first is counted up front
  int hedges_ = 0;
  int live_ = 0;     // started and not decided
  int running_ = 0;  // started and not reported back
  int last_failure_ = -1;
  std::optional<TimePoint> hedge_at_, next_at_;
  bool started_ = false;
  bool finished_ = false;
  bool holds_slot_ = false;
  int final_ = 0;
  std::optional<core::Error> error_;
  std::shared_ptr<QueueWait> queue_wait_;
  CallTrace trace_;
};

}  // namespace detail
}  // namespace reliability
