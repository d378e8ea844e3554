#include "06_reliability_patterns_mini/pipeline/call.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/post.hpp>
#include <string>

#include "06_reliability_patterns_mini/pipeline/pipeline.hpp"

namespace reliability::detail {
namespace {

std::string Ms(core::Clock::duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

void Bump(std::atomic<std::uint64_t>& counter) { counter.fetch_add(1, std::memory_order_relaxed); }

}  // namespace

// A call queued for a bulkhead slot. Only calls that must queue allocate one; it is shared with
// the wake-up Granted() posts, which may run after the call has moved on (timed out, say).
class Call::QueueWait final : public Bulkhead::Waiter,
                              public std::enable_shared_from_this<QueueWait> {
 public:
  QueueWait(const net::any_io_executor& ex, TimerDriver& timers) : timer(ex), timers_(timers) {}
  ~QueueWait() override { timers_.Forget(timer); }

  // Under the bulkhead's lock, possibly on another thread: record, then wake the waiter on its
  // own executor (a timer may only be touched there).
  void Granted() noexcept override {
    granted.store(true, std::memory_order_release);
    net::post(timer.get_executor(), [self = shared_from_this()] { self->timer.cancel(); });
  }

  net::steady_timer timer;
  std::atomic<bool> granted{false};

 private:
  TimerDriver& timers_;
};

Call::Call(Pipeline& p, AttemptSpawner& spawner, const CallOptions& options,
           const net::any_io_executor& ex)
    : p_(p),
      spawner_(spawner),
      keep_trace_(options.trace),
      wake_(ex),
      backoff_(p.options_.retry.backoff),
      start_(p.deps_.clock->Now()),
      last_now_(start_),
      deadline_(CallDeadline(p.options_.timeout, start_, options.deadline)) {
  Bump(p_.counters_.calls);
}

Call::~Call() { p_.deps_.timers->Forget(wake_); }

TimePoint Call::Now() const { return p_.deps_.clock->Now(); }

AttemptRecord* Call::Record(int index) {
  return keep_trace_ ? &trace_.attempts[static_cast<std::size_t>(index)] : nullptr;
}

void Call::Arm(TimePoint when) { p_.deps_.timers->Arm(wake_, when); }

bool Call::TryEnter() {
  Bulkhead* bulkhead = p_.bulkhead_.get();
  if (!bulkhead) return true;
  if (bulkhead->TryAcquire(nullptr) == Bulkhead::Admission::kAcquired) {
    holds_slot_ = true;
    return true;
  }
  if (p_.options_.bulkhead->max_queue > 0) {
    queue_wait_ = std::make_shared<QueueWait>(wake_.get_executor(), *p_.deps_.timers);
    switch (bulkhead->TryAcquire(queue_wait_.get())) {
      case Bulkhead::Admission::kAcquired:
        holds_slot_ = true;
        return true;
      case Bulkhead::Admission::kQueued:
        return false;
      case Bulkhead::Admission::kRejected:
        break;
    }
  }
  Bump(p_.counters_.rejected_bulkhead);
  Refuse(Refusal::kBulkheadFull,
         core::Error(core::Code::kUnavailable,
                     "bulkhead '" + p_.name_ + "' is full (" +
                         std::to_string(p_.options_.bulkhead->max_concurrent) + " in flight)"),
         NameOf(Refusal::kBulkheadFull));
  return true;
}

Task<void> Call::WaitForSlot(net::cancellation_state cancel_state) {
  Bulkhead& bulkhead = *p_.bulkhead_;
  QueueWait& wait = *queue_wait_;
  const TimePoint since = Now();
  const TimePoint until = std::min(since + p_.options_.bulkhead->max_wait, deadline_);
  while (!wait.granted.load(std::memory_order_acquire)) {
    if (cancel_state.cancelled() != net::cancellation_type::none || Now() >= until) {
      if (bulkhead.Cancel(&wait)) break;  // else it was granted meanwhile: we hold the slot
    } else {
      p_.deps_.timers->Arm(wait.timer, until);
      co_await wait.timer.async_wait(core::kUseTuple);
    }
  }
  holds_slot_ = wait.granted.load(std::memory_order_acquire);
  last_now_ = Now();
  trace_.queued = last_now_ - since;
  if (!holds_slot_) {
    Bump(p_.counters_.rejected_bulkhead);
    Refuse(Refusal::kBulkheadTimeout,
           core::Error(core::Code::kUnavailable,
                       "bulkhead '" + p_.name_ + "': no slot free within " + Ms(trace_.queued)),
           NameOf(Refusal::kBulkheadTimeout));
  }
}

void Call::End() {
  if (holds_slot_) p_.bulkhead_->Release();
  holds_slot_ = false;
  trace_.total = last_now_ - start_;  // the time of the last decision: no extra clock read
}

std::optional<core::Error> Call::TakeFinalError() {
  if (final_ == 0) return std::nullopt;
  return std::move(At(final_ - 1).error);
}

void Call::StartFirst(TimePoint now) {
  started_ = true;
  if (now >= deadline_) {
    Bump(p_.counters_.deadline_exceeded);
    Refuse(Refusal::kDeadline, core::Error(core::Code::kTimeout, "the deadline had passed"),
           "deadline");
    return;
  }
  if (p_.budget_) p_.budget_->Deposit(now);
  Refusal why = Refusal::kNone;
  if (TryStart(/*hedge=*/false, now, why)) return;
  const std::string what =
      why == Refusal::kBreakerOpen
          ? "circuit breaker '" + p_.name_ + "' is " + std::string(NameOf(p_.breaker_->state())) +
                ": call not permitted"
          : "adaptive throttling dropped the call to '" + p_.name_ + "' locally";
  Refuse(why, core::Error(core::Code::kUnavailable, what), NameOf(why));
}

TimePoint Call::Step(bool caller_cancelled) {
  const TimePoint now = Now();
  last_now_ = now;
  if (!finished_ && caller_cancelled) {
    Bump(p_.counters_.cancelled);
    Refuse(Refusal::kCancelled, core::Error(core::Code::kUnavailable, "call cancelled"),
           "cancelled");
  }
  if (!finished_ && !started_) StartFirst(now);
  if (!finished_) {
    for (int i = 0; i < count_; ++i) {
      if (!At(i).decided && At(i).info.deadline <= now) TimeOut(i, now);
    }
  }
  if (!finished_ && now >= deadline_) {
    Bump(p_.counters_.deadline_exceeded);
    Refuse(Refusal::kDeadline,
           core::Error(core::Code::kTimeout, "deadline of " + Ms(deadline_ - start_) +
                                                 " exceeded after " + std::to_string(count_) +
                                                 " attempt(s)"),
           "deadline");
  }
  if (!finished_ && hedge_at_ && now >= *hedge_at_) {
    hedge_at_.reset();
    if (live_ > 0) StartHedge(now);
  }
  if (!finished_ && live_ == 0) {
    if (!next_at_) ScheduleRetry(now);
    if (!finished_ && next_at_ && now >= *next_at_) {
      next_at_.reset();
      StartRetry(now);
    }
  }
  if (finished_) return TimePoint::max();  // only waiting for abandoned attempts to report
  TimePoint wake = deadline_;
  if (hedge_at_) wake = std::min(wake, *hedge_at_);
  if (next_at_) wake = std::min(wake, *next_at_);
  for (int i = 0; i < count_; ++i) {
    if (!At(i).decided) wake = std::min(wake, At(i).info.deadline);
  }
  return wake;
}

void Call::OnDone(int index, std::exception_ptr e, const Classification& c) {
  AttemptState& a = At(index);
  a.running = false;
  --running_;
  wake_.cancel();
  if (a.decided) return;  // given up on already (timeout, lost race): its result is moot
  last_now_ = Now();
  if (!e) {
    Decide(index, c, last_now_);
    return;
  }
  // The operation threw on its own (cancellations by us were decided before they got here).
  std::string what = "operation failed";
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    what += std::string(": ") + ex.what();
  } catch (...) {
  }
  a.error = core::Error(core::Code::kInternal, std::move(what));
  Decide(index, spawner_.Classify(*a.error), last_now_);
}

bool Call::TryStart(bool hedge, TimePoint now, Refusal& why) {
  if (p_.throttle_ && !p_.throttle_->Admit(*p_.deps_.random)) {
    Bump(p_.counters_.rejected_throttle);
    why = Refusal::kThrottled;
    return false;
  }
  BreakerPermit permit{.granted = true, .state = BreakerState::kDisabled};
  if (p_.breaker_) permit = p_.breaker_->TryAcquire();
  if (!permit.granted) {
    Bump(p_.counters_.rejected_breaker);
    why = Refusal::kBreakerOpen;
    return false;
  }
  const int index = count_++;
  AttemptState& a = attempts_[static_cast<std::size_t>(index)].emplace();
  const TimePoint attempt_deadline = AttemptDeadline(p_.options_.timeout, now, deadline_);
  a.info = {.number = index + 1,
            .hedge = hedge,
            .deadline = attempt_deadline,
            .timeout = attempt_deadline - now};
  a.permit = permit;
  a.start = now;
  if (keep_trace_) {
    AttemptRecord& record = trace_.attempts.emplace_back();
    record.number = index + 1;
    record.hedge = hedge;
    record.offset = now - start_;
    record.breaker = permit.state;
  }
  ++live_;
  ++running_;
  Bump(p_.counters_.attempts);
  if (!hedge) ScheduleHedge(now);
  spawner_.Spawn(index, a.info, a.signal.slot());
  return true;
}

void Call::ScheduleHedge(TimePoint now) {
  if (p_.latency_ && hedges_ < p_.options_.hedge->max_hedges) {
    hedge_at_ = now + p_.latency_->Delay();
  } else {
    hedge_at_.reset();
  }
}

void Call::StartHedge(TimePoint now) {
  if (count_ >= kMaxAttemptsPerCall) return;
  if (p_.budget_ && !p_.budget_->TryWithdraw()) {
    Bump(p_.counters_.budget_exhausted);
    return;
  }
  Refusal why = Refusal::kNone;
  if (!TryStart(/*hedge=*/true, now, why)) return;
  ++hedges_;
  ++trace_.hedges;
  Bump(p_.counters_.hedges);
  ScheduleHedge(now);  // the next hedge, if more are allowed
}

void Call::ScheduleRetry(TimePoint now) {
  if (last_failure_ < 0) return;
  const AttemptState& last = At(last_failure_);
  if (primaries_ >= p_.options_.retry.max_attempts || count_ >= kMaxAttemptsPerCall) {
    FinishWith(last_failure_, "max_attempts");
    return;
  }
  core::Clock::duration wait = backoff_.Next(*p_.deps_.random);
  const bool asked = last.cls.retry_after && *last.cls.retry_after > wait;
  if (asked) wait = *last.cls.retry_after;
  if (now + wait >= deadline_) {
    FinishWith(last_failure_, asked ? "retry_after" : "deadline");
    return;
  }
  if (p_.budget_ && !p_.budget_->TryWithdraw()) {
    Bump(p_.counters_.budget_exhausted);
    FinishWith(last_failure_, "budget");
    return;
  }
  next_at_ = now + wait;
}

void Call::StartRetry(TimePoint now) {
  Refusal why = Refusal::kNone;
  if (!TryStart(/*hedge=*/false, now, why)) {
    FinishWith(last_failure_, NameOf(why));
    return;
  }
  ++primaries_;
  ++trace_.retries;
  Bump(p_.counters_.retries);
}

void Call::TimeOut(int index, TimePoint now) {
  AttemptState& a = At(index);
  a.error = core::Error(core::Code::kTimeout, "attempt " + std::to_string(index + 1) +
                                                  " timed out after " + Ms(now - a.start));
  Classification c = spawner_.Classify(*a.error);
  c.label = "timeout";
  a.signal.emit(net::cancellation_type::terminal);
  Decide(index, c, now);
}

void Call::Decide(int index, const Classification& c, TimePoint now) {
  AttemptState& a = At(index);
  a.decided = true;
  a.cls = c;
  --live_;
  // Timed out by us, or by an operation that honours its own deadline.
  if (c.label == "timeout") Bump(p_.counters_.attempt_timeouts);
  const core::Clock::duration elapsed = now - a.start;
  if (p_.breaker_) p_.breaker_->Record(a.permit, c.health, elapsed);
  if (p_.throttle_ && c.health == Health::kSuccess) p_.throttle_->RecordAccepted();
  if (p_.latency_ && c.verdict == Verdict::kSuccess) p_.latency_->Record(elapsed);
  if (AttemptRecord* r = Record(index)) {
    r->duration = elapsed;
    r->outcome = c.label;
    r->status = c.status;
    r->verdict = c.verdict;
  }
  if (finished_) return;
  if (c.verdict == Verdict::kRetryable) {
    last_failure_ = index;  // retried once nothing else is running
  } else {
    FinishWith(index, c.verdict == Verdict::kSuccess ? "success" : "permanent");
  }
}

void Call::FinishWith(int index, std::string_view ended_by) {
  finished_ = true;
  final_ = index + 1;
  trace_.ended_by = ended_by;
  const AttemptState& a = At(index);
  if (AttemptRecord* r = Record(index)) r->won = true;
  const bool success = a.cls.verdict == Verdict::kSuccess;
  Bump(success ? p_.counters_.calls_succeeded : p_.counters_.calls_failed);
  if (success && a.info.hedge) Bump(p_.counters_.hedges_won);
  AbandonLive(a.start);
}

void Call::Refuse(Refusal r, core::Error e, std::string_view ended_by) {
  finished_ = true;
  error_ = std::move(e);
  trace_.refusal = r;
  trace_.ended_by = ended_by;
  Bump(p_.counters_.calls_failed);
  AbandonLive(start_);
}

// The call is over: cancel what still runs. Their outcomes say nothing about the upstream
// (ignored: a half-open probe among them gives its permit back).
void Call::AbandonLive(TimePoint hint) {
  hedge_at_.reset();
  next_at_.reset();
  if (live_ == 0) return;
  const TimePoint now = std::max(hint, last_now_);
  for (int i = 0; i < count_; ++i) {
    AttemptState& a = At(i);
    if (a.decided) continue;
    a.decided = true;
    --live_;
    if (p_.breaker_) p_.breaker_->Record(a.permit, Health::kIgnored, now - a.start);
    if (AttemptRecord* r = Record(i)) {
      r->duration = now - a.start;
      r->outcome = "cancelled";
      r->verdict = Verdict::kPermanent;
    }
    a.signal.emit(net::cancellation_type::terminal);
  }
}

}  // namespace reliability::detail
