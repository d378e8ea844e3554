// The reliability pipeline: one object, built from PipelineOptions, that runs any awaitable
// operation under every policy in a fixed order (outermost first):
//
//   deadline ─► bulkhead ─► retry loop (+ budget) ─► hedging ─► per attempt:
//                                                          throttle ─► breaker ─► attempt timeout
//                                                          ─► op
//
// Why this order: the deadline is outermost because it bounds everything, waiting in the bulkhead
// queue and sleeping between retries included. The bulkhead counts calls, not attempts, so a call
// holds one slot through its retries and a retry storm cannot multiply our in-flight count (the
// budget bounds the extra attempts instead). The breaker sits inside the retry loop so that it
// sees every attempt — the upstream's real failure rate, not one verdict per call after three
// tries — and so that once it opens, the loop stops at once instead of sleeping and retrying
// against an upstream known to be down. The attempt timeout is innermost: each attempt gets at most
// min(attempt timeout, what is left of the deadline), and the operation learns that number
// (Attempt::timeout) to announce downstream.
//
// Cancellation runs end to end: cancel the coroutine that awaits Execute (Asio per-operation
// cancellation, e.g. bind_cancellation_slot or awaitable operators) and the backoff sleep or
// bulkhead wait ends, every running attempt is cancelled, and Execute returns kUnavailable "call
// cancelled" (trace.refusal = kCancelled) — after its attempts have finished, so nothing outlives
// the call. Operations must honour terminal cancellation (every Asio and core::HttpClient
// operation does). An attempt runs as a child coroutine (so a timeout or a winning hedge can
// cancel it), or inline in the call's coroutine when the operation ends by its deadline itself
// (CallOptions::operation_honours_deadline) and hedging is off — the cheap path.
//
// A Pipeline is shared by every call to one upstream (the gateway: one per route). Thread-safe;
// Execute must run on a strand or a single-threaded io_context (its attempts run there too).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>

#include "06_reliability_patterns_mini/pipeline/call.hpp"
#include "06_reliability_patterns_mini/pipeline/call_trace.hpp"
#include "06_reliability_patterns_mini/pipeline/timer_driver.hpp"
#include "06_reliability_patterns_mini/policy/pipeline_options.hpp"
#include "06_reliability_patterns_mini/policy/random.hpp"
#include "core/async/task.hpp"
#include "core/base/clock.hpp"
#include "core/base/error.hpp"

namespace reliability {

using core::Task;

// The seams, injected (tests: FakeClock + FakeTimerDriver + SeededRandom). The timer driver must
// follow the same clock. All three must outlive the pipeline.
struct PipelineDeps {
  core::Clock* clock = &core::SystemClock::Instance();
  Random* random = &ThreadRandom::Instance();
  TimerDriver* timers = &SteadyTimerDriver::Instance();
  // Called on every breaker transition (an event to log or forward), on the thread that caused
  // it, after the breaker's lock is released. Must not block.
  CircuitBreaker::Listener on_breaker_transition;
};

template <class T>
using Operation = std::function<Task<core::Result<T>>(Attempt)>;
template <class T>
using Classifier = std::function<Classification(const core::Result<T>&)>;

template <class T>
struct CallResult {
  core::Result<T> result;  // the winning (or last) attempt's result, or the refusal
  CallTrace trace;
};

// X(name, meaning): the pipeline's counters, declared once; metrics and tests read the same list.
#define SD_PIPELINE_COUNTERS(X)                                                    \
  X(calls, "calls started")                                                        \
  X(calls_succeeded, "calls whose result was a success")                           \
  X(calls_failed, "calls that ended with a failure or a refusal")                  \
  X(attempts, "attempts started: first tries, retries and hedges")                 \
  X(retries, "retries started")                                                    \
  X(hedges, "hedged attempts started")                                             \
  X(hedges_won, "calls whose result came from a hedged attempt")                   \
  X(attempt_timeouts, "attempts cancelled at their timeout")                       \
  X(deadline_exceeded, "calls that ran out of time")                               \
  X(cancelled, "calls cancelled by their caller")                                  \
  X(rejected_breaker, "attempts not permitted by the circuit breaker")             \
  X(rejected_bulkhead, "calls refused by the bulkhead (full, or waited too long)") \
  X(rejected_throttle, "attempts dropped locally by adaptive throttling")          \
  X(budget_exhausted, "retries and hedges refused because the retry budget was spent")

struct PipelineStats {
#define SD_PIPELINE_FIELD(name, meaning) std::uint64_t name = 0;
  SD_PIPELINE_COUNTERS(SD_PIPELINE_FIELD)
#undef SD_PIPELINE_FIELD
};

class Pipeline {
 public:
  // Validates the options (kInvalidArgument naming the field) and builds the policies.
  static core::Result<std::unique_ptr<Pipeline>> Create(std::string name,
                                                        const PipelineOptions& options,
                                                        PipelineDeps deps = {});
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Runs `op` under the policies. `classify` turns each attempt's result into a verdict, a health
  // signal and an optional Retry-After (see classify.hpp). Never throws for a policy decision: a
  // refusal is an error result (kUnavailable for bulkhead/breaker/throttle, kTimeout for the
  // deadline, kUnavailable "cancelled" for cancellation) with the trace saying which policy.
  template <class T>
  Task<CallResult<T>> Execute(Operation<T> op, Classifier<T> classify, CallOptions call = {});

  const std::string& name() const noexcept { return name_; }
  const PipelineOptions& options() const noexcept { return options_; }
  // The policies (null when off). The breaker may be driven by an operator (force-open, reset).
  CircuitBreaker* breaker() const noexcept { return breaker_.get(); }
  const RetryBudget* budget() const noexcept { return budget_.get(); }
  const Bulkhead* bulkhead() const noexcept { return bulkhead_.get(); }
  AdaptiveThrottle* throttle() const noexcept { return throttle_.get(); }
  const LatencyTracker* latency() const noexcept { return latency_.get(); }
  PipelineStats Stats() const noexcept;
  // The most attempts one call can make (first tries and retries, plus hedges).
  int max_attempts_per_call() const noexcept;

 private:
  friend class detail::Call;
  Pipeline(std::string name, const PipelineOptions& options, PipelineDeps deps);

  struct Counters {
#define SD_PIPELINE_ATOMIC(name, meaning) std::atomic<std::uint64_t> name{0};
    SD_PIPELINE_COUNTERS(SD_PIPELINE_ATOMIC)
#undef SD_PIPELINE_ATOMIC
  };

  const std::string name_;
  const PipelineOptions options_;
  const PipelineDeps deps_;
  std::unique_ptr<RetryBudget> budget_;
  std::unique_ptr<CircuitBreaker> breaker_;
  std::unique_ptr<Bulkhead> bulkhead_;
  std::unique_ptr<LatencyTracker> latency_;
  std::unique_ptr<AdaptiveThrottle> throttle_;
  Counters counters_;
};

// ---- implementation of the template -------------------------------------------------------

namespace detail {

// The typed side of a call: starts each attempt's operation and keeps its result.
template <class T>
class TypedSpawner final : public AttemptSpawner {
 public:
  // `inline_attempts`: Spawn only records the attempt; the call's coroutine runs it.
  TypedSpawner(Operation<T>& op, Classifier<T>& classify, const net::any_io_executor& ex,
               bool inline_attempts)
      : op_(op), classify_(classify), ex_(ex), inline_(inline_attempts) {}

  void Bind(Call* call) { call_ = call; }

  void Spawn(int index, const Attempt& attempt, net::cancellation_slot slot) override {
    if (inline_) {
      pending_index_ = index;
      pending_ = attempt;
      return;
    }
    net::co_spawn(ex_, op_(attempt), net::bind_cancellation_slot(slot, Done{this, index}));
  }
  Classification Classify(const core::Error& error) override {
    return classify_(core::Result<T>(error));
  }
  std::optional<core::Result<T>>& result(int number) {
    return results_[static_cast<std::size_t>(number - 1)];
  }
  bool has_pending() const noexcept { return pending_index_ >= 0; }
  int pending_index() const noexcept { return pending_index_; }
  const Attempt& pending() const noexcept { return pending_; }

  // An inline attempt's result: classify, keep, tell the call (as Done does for a child).
  void Finish(int index, std::exception_ptr e, std::optional<core::Result<T>> r) {
    pending_index_ = -1;
    Done{this, index}(std::move(e), r ? std::move(*r) : core::Result<T>(core::Error()));
  }

 private:
  // The attempt's completion, on the call's executor: classify, keep, tell the call.
  struct Done {
    TypedSpawner* self;
    int index;
    void operator()(std::exception_ptr e, core::Result<T> r) const {
      Classification c;
      if (!e) {
        c = self->classify_(r);
        self->results_[static_cast<std::size_t>(index)].emplace(std::move(r));
      }
      self->call_->OnDone(index, std::move(e), c);
    }
  };

  Operation<T>& op_;
  Classifier<T>& classify_;
  net::any_io_executor ex_;
  const bool inline_;
  Call* call_ = nullptr;
  int pending_index_ = -1;
  Attempt pending_;
  std::array<std::optional<core::Result<T>>, kMaxAttemptsPerCall> results_;
};

}  // namespace detail

// One coroutine frame per call: the loop lives here, the decisions in detail::Call.
template <class T>
Task<CallResult<T>> Pipeline::Execute(Operation<T> op, Classifier<T> classify, CallOptions call) {
  const net::any_io_executor executor = co_await net::this_coro::executor;
  const net::cancellation_state cancel_state = co_await net::this_coro::cancellation_state;
  // A cancelled call still waits for its attempts; the caller's setting is restored below.
  const bool throw_if_cancelled = co_await net::this_coro::throw_if_cancelled();
  co_await net::this_coro::throw_if_cancelled(false);

  const bool inline_attempts = call.operation_honours_deadline && !options_.hedge;
  detail::TypedSpawner<T> spawner(op, classify, executor, inline_attempts);
  detail::Call c(*this, spawner, call, executor);
  spawner.Bind(&c);
  if (!c.TryEnter()) co_await c.WaitForSlot(cancel_state);
  while (true) {
    const TimePoint wake_at = c.Step(cancel_state.cancelled() != net::cancellation_type::none);
    if (spawner.has_pending()) {  // an inline attempt: run it here, then decide again
      const int index = spawner.pending_index();
      std::exception_ptr error;
      std::optional<core::Result<T>> result;
      try {
        core::Result<T> r = co_await op(spawner.pending());
        result.emplace(std::move(r));
      } catch (...) {
        error = std::current_exception();
      }
      // Cancelled meanwhile: the call ends first, so the attempt counts as abandoned (ignored by
      // the breaker, its probe permit released), exactly as a cancelled child would.
      if (cancel_state.cancelled() != net::cancellation_type::none) c.Step(true);
      spawner.Finish(index, std::move(error), std::move(result));
      continue;
    }
    if (c.Done()) break;
    c.Arm(wake_at);
    co_await c.wake().async_wait(core::kUseTuple);
  }
  c.End();
  co_await net::this_coro::throw_if_cancelled(throw_if_cancelled);

  CallResult<T> out{core::Result<T>(core::Error(core::Code::kInternal, "no attempt was made")),
                    c.TakeTrace()};
  if (c.failed()) {
    out.result = c.TakeError();
  } else if (std::optional<core::Error> replaced = c.TakeFinalError()) {
    out.result = std::move(*replaced);
  } else if (c.final_attempt() > 0) {
    if (auto& r = spawner.result(c.final_attempt())) out.result = std::move(*r);
  }
  co_return out;
}

}  // namespace reliability
