// The pipeline end to end in virtual time: a scripted upstream whose "latency" is a fake timer,
// a FakeClock moved by the test from one armed deadline to the next. Nothing sleeps; every offset
// below is exact.
#include "06_reliability_patterns_mini/pipeline/pipeline.hpp"

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <stdexcept>
#include <vector>

namespace reliability {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Dur = core::Clock::duration;

// One scripted answer: after `latency`, a status (or an error code, or a throw).
struct Step {
  Dur latency = milliseconds(10);
  int status = 200;
  std::optional<core::Code> error;
  std::optional<Dur> retry_after;
  bool throws = false;
};

Step Status(int status, Dur latency = milliseconds(10)) {
  Step s;
  s.status = status;
  s.latency = latency;
  return s;
}
Step Slow(Dur latency) { return Status(200, latency); }
Step RetryAfter(int status, Dur wait) {
  Step s = Status(status);
  s.retry_after = wait;
  return s;
}
Step Throws() {
  Step s;
  s.throws = true;
  return s;
}

struct Upstream {
  Upstream(std::initializer_list<Step> script) : steps(script) {}
  std::vector<Step> steps;  // the last one repeats
  std::vector<Attempt> seen;
  std::vector<TimePoint> started;
  int finished = 0;
  int cancelled = 0;
};

struct Answer {
  int status = 0;
  std::optional<Dur> retry_after;
};

Task<core::Result<Answer>> Serve(Upstream* up, FakeTimerDriver* timers, Attempt a) {
  const Step step = up->steps[std::min(up->seen.size(), up->steps.size() - 1)];
  up->seen.push_back(a);
  up->started.push_back(timers->clock().Now());
  const TimePoint due = timers->clock().Now() + step.latency;
  net::steady_timer timer(co_await net::this_coro::executor);
  timers->Arm(timer, due);
  co_await timer.async_wait(core::kUseTuple);  // fired or cancelled: the clock tells which
  timers->Forget(timer);
  ++up->finished;
  if (timers->clock().Now() < due) {  // woken early: cancelled by the pipeline
    ++up->cancelled;
    co_return core::Error(core::Code::kUnavailable, "cancelled");
  }
  if (step.throws) throw std::runtime_error("boom");
  if (step.error) co_return core::Error(*step.error, "scripted");
  co_return Answer{step.status, step.retry_after};
}

Classification Classify(const core::Result<Answer>& r) {
  if (!r) return ClassifyError(r.error(), /*idempotent=*/true);
  Classification c = ClassifyHttp({.failure = TransportFailure::kNone,
                                   .status = r->status,
                                   .retry_after = {},
                                   .idempotent = true},
                                  std::chrono::system_clock::now());
  c.retry_after = r->retry_after;
  return c;
}

PipelineOptions Plain() {
  PipelineOptions o;
  o.retry.max_attempts = 3;
  o.retry.backoff = {.kind = BackoffKind::kExponential,
                     .base = milliseconds(25),
                     .max = milliseconds(250),
                     .jitter = Jitter::kNone};
  o.timeout = {.attempt = seconds(1), .total = seconds(15)};
  o.budget.reset();
  o.breaker.reset();
  o.bulkhead.reset();
  return o;
}

class PipelineTest : public ::testing::Test {
 protected:
  std::unique_ptr<Pipeline> Make(const PipelineOptions& o) {
    auto p = Pipeline::Create("up", o, Deps());
    EXPECT_TRUE(p) << p.error().detail;
    return std::move(*p);
  }

  PipelineDeps Deps() {
    PipelineDeps d;
    d.clock = &clock_;
    d.random = &random_;
    d.timers = &timers_;
    return d;
  }

  // Starts a call; its result lands in the returned slot when it completes.
  std::shared_ptr<std::optional<CallResult<Answer>>> Start(
      Pipeline& p, Upstream& up, CallOptions call = {},
      net::cancellation_signal* cancel = nullptr) {
    auto slot = std::make_shared<std::optional<CallResult<Answer>>>();
    Operation<Answer> op = [up = &up, timers = &timers_](Attempt a) {
      return Serve(up, timers, a);
    };
    auto done = [slot](std::exception_ptr e, CallResult<Answer> r) {
      if (e) std::rethrow_exception(e);
      slot->emplace(std::move(r));
    };
    auto task = p.Execute<Answer>(std::move(op), Classify, call);
    if (cancel) {
      net::co_spawn(io_, std::move(task), net::bind_cancellation_slot(cancel->slot(), done));
    } else {
      net::co_spawn(io_, std::move(task), done);
    }
    Poll();
    return slot;
  }

  void Poll() {
    io_.restart();
    io_.poll();
  }
  // Runs ready work and moves virtual time from deadline to deadline until `slot` is filled.
  template <class Slot>
  void RunUntilDone(const Slot& slot) {
    for (int i = 0; i < 10'000 && !*slot; ++i) {
      Poll();
      if (*slot) return;
      ASSERT_TRUE(timers_.AdvanceToNext()) << "stuck: nothing armed and the call not done";
    }
    Poll();
  }
  // Runs everything due up to `t` (virtual), leaving the clock at `t`.
  void RunUntil(TimePoint t) {
    for (int i = 0; i < 10'000; ++i) {
      Poll();
      auto next = timers_.Next();
      if (!next || *next > t) break;
      timers_.AdvanceToNext();
    }
    if (clock_.Now() < t) timers_.Advance(t - clock_.Now());
    Poll();
  }
  CallResult<Answer> Call(Pipeline& p, Upstream& up, CallOptions call = {}) {
    auto slot = Start(p, up, call);
    RunUntilDone(slot);
    EXPECT_TRUE(*slot);
    return std::move(**slot);
  }
  Dur Since(TimePoint t) const { return clock_.Now() - t; }

  core::FakeClock clock_;
  FakeTimerDriver timers_{clock_};
  SeededRandom random_{1};
  net::io_context io_;
  const TimePoint t0_ = clock_.Now();
};

TEST_F(PipelineTest, AHealthyCallIsOneAttempt) {
  auto p = Make(Plain());
  Upstream up{Status(200, milliseconds(10))};
  auto r = Call(*p, up);
  ASSERT_TRUE(r.result);
  EXPECT_EQ(r.result->status, 200);
  ASSERT_EQ(r.trace.attempts.size(), 1u);
  EXPECT_EQ(r.trace.attempts[0].outcome, "ok");
  EXPECT_EQ(r.trace.attempts[0].duration, milliseconds(10));
  EXPECT_TRUE(r.trace.attempts[0].won);
  EXPECT_EQ(r.trace.ended_by, "success");
  EXPECT_EQ(r.trace.total, milliseconds(10));
  EXPECT_EQ(p->Stats().calls_succeeded, 1u);
  EXPECT_EQ(timers_.armed(), 0u);  // nothing left behind
}

TEST_F(PipelineTest, RetriesTransientFailuresAfterTheBackoff) {
  auto p = Make(Plain());
  Upstream up{Status(503), Status(503), Status(200)};
  auto r = Call(*p, up);
  ASSERT_TRUE(r.result);
  EXPECT_EQ(r.result->status, 200);
  ASSERT_EQ(up.started.size(), 3u);
  // 10 ms attempt, 25 ms wait, 10 ms attempt, 50 ms wait, 10 ms attempt.
  EXPECT_EQ(up.started[1] - t0_, milliseconds(35));
  EXPECT_EQ(up.started[2] - t0_, milliseconds(95));
  EXPECT_EQ(r.trace.total, milliseconds(105));
  EXPECT_EQ(r.trace.retries, 2);
  EXPECT_EQ(r.trace.attempts[0].status, 503);
  EXPECT_EQ(r.trace.attempts[0].verdict, Verdict::kRetryable);
  EXPECT_EQ(p->Stats().retries, 2u);
  EXPECT_EQ(p->Stats().attempts, 3u);
}

TEST_F(PipelineTest, APermanentErrorStopsAtOnce) {
  auto p = Make(Plain());
  Upstream up{Status(404)};
  auto r = Call(*p, up);
  ASSERT_TRUE(r.result);
  EXPECT_EQ(r.result->status, 404);
  EXPECT_EQ(up.seen.size(), 1u);
  EXPECT_EQ(r.trace.ended_by, "permanent");
  EXPECT_EQ(p->Stats().calls_failed, 1u);
}

TEST_F(PipelineTest, GivesUpAfterMaxAttemptsWithTheLastAnswer) {
  auto p = Make(Plain());
  Upstream up{Status(502), Status(504), Status(503)};
  auto r = Call(*p, up);
  ASSERT_TRUE(r.result);
  EXPECT_EQ(r.result->status, 503);
  EXPECT_EQ(up.seen.size(), 3u);
  EXPECT_EQ(r.trace.ended_by, "max_attempts");
  EXPECT_TRUE(r.trace.attempts[2].won);
}

TEST_F(PipelineTest, HonoursRetryAfterWhenLongerThanTheBackoff) {
  auto p = Make(Plain());
  Upstream up{RetryAfter(429, milliseconds(300)), Status(200)};
  auto r = Call(*p, up);
  ASSERT_TRUE(r.result);
  EXPECT_EQ(up.started[1] - t0_, milliseconds(310));
}

TEST_F(PipelineTest, ARetryAfterPastTheDeadlineEndsTheCall) {
  auto p = Make(Plain());
  Upstream up{RetryAfter(503, seconds(20))};
  auto r = Call(*p, up);
  ASSERT_TRUE(r.result);
  EXPECT_EQ(r.result->status, 503);
  EXPECT_EQ(up.seen.size(), 1u);
  EXPECT_EQ(r.trace.ended_by, "retry_after");
  EXPECT_EQ(r.trace.total, milliseconds(10));  // no pointless wait
}

TEST_F(PipelineTest, AnAttemptIsCancelledAtItsTimeoutAndRetried) {
  auto p = Make(Plain());
  Upstream up{Slow(seconds(5)), Slow(milliseconds(10))};
  auto r = Call(*p, up);
  ASSERT_TRUE(r.result);
  EXPECT_EQ(up.cancelled, 1);  // the upstream saw its request cancelled
  EXPECT_EQ(r.trace.attempts[0].outcome, "timeout");
  EXPECT_EQ(r.trace.attempts[0].duration, seconds(1));
  EXPECT_EQ(up.started[1] - t0_, seconds(1) + milliseconds(25));
  EXPECT_EQ(p->Stats().attempt_timeouts, 1u);
}

TEST_F(PipelineTest, TheRemainingDeadlinePropagatesToEachAttempt) {
  auto o = Plain();
  o.timeout.total = milliseconds(1500);
  auto p = Make(o);
  Upstream up{Slow(seconds(5))};
  auto r = Call(*p, up);
  ASSERT_EQ(up.seen.size(), 2u);
  EXPECT_EQ(up.seen[0].timeout, seconds(1));         // the attempt timeout
  EXPECT_EQ(up.seen[1].timeout, milliseconds(475));  // only what is left: 1500 − 1000 − 25
  EXPECT_EQ(up.seen[1].deadline, t0_ + milliseconds(1500));
  ASSERT_FALSE(r.result);
  EXPECT_EQ(r.result.error().code, core::Code::kTimeout);
  EXPECT_EQ(r.trace.refusal, Refusal::kDeadline);
  EXPECT_EQ(r.trace.total, milliseconds(1500));
  EXPECT_EQ(p->Stats().deadline_exceeded, 1u);
}

TEST_F(PipelineTest, TheCallersSoonerDeadlineWins) {
  auto p = Make(Plain());
  Upstream up{Slow(milliseconds(10))};
  auto r = Call(*p, up, {.deadline = t0_ + milliseconds(200)});
  ASSERT_TRUE(r.result);
  EXPECT_EQ(up.seen[0].timeout, milliseconds(200));
}

TEST_F(PipelineTest, ADeadlineAlreadyPastMakesNoAttempt) {
  auto p = Make(Plain());
  Upstream up{Status(200)};
  auto r = Call(*p, up, {.deadline = t0_});
  ASSERT_FALSE(r.result);
  EXPECT_EQ(r.trace.refusal, Refusal::kDeadline);
  EXPECT_TRUE(up.seen.empty());
}

TEST_F(PipelineTest, ASpentBudgetFailsFastWithTheLastAnswer) {
  auto o = Plain();
  o.budget = RetryBudgetOptions{.ratio = 0, .min_per_second = 0, .window = seconds(10)};
  auto p = Make(o);
  Upstream up{Status(503)};
  auto r = Call(*p, up);
  ASSERT_TRUE(r.result);
  EXPECT_EQ(r.result->status, 503);
  EXPECT_EQ(up.seen.size(), 1u);
  EXPECT_EQ(r.trace.ended_by, "budget");
  EXPECT_EQ(p->Stats().budget_exhausted, 1u);
  EXPECT_EQ(p->budget()->Stats().exhausted, 1u);
}

BreakerOptions TinyBreaker(int calls) {
  BreakerOptions b;
  b.window_size = calls;
  b.minimum_calls = calls;
  b.failure_rate = 0.5;
  b.open_wait = seconds(5);
  b.half_open_probes = 1;
  return b;
}

TEST_F(PipelineTest, AnOpenBreakerRefusesWithoutTouchingTheUpstream) {
  auto o = Plain();
  o.retry.max_attempts = 1;
  o.breaker = TinyBreaker(3);
  auto p = Make(o);
  Upstream up{Status(500)};
  for (int i = 0; i < 3; ++i) Call(*p, up);
  auto r = Call(*p, up);
  ASSERT_FALSE(r.result);
  EXPECT_EQ(r.result.error().code, core::Code::kUnavailable);
  EXPECT_NE(r.result.error().detail.find("circuit breaker 'up' is open"), std::string::npos);
  EXPECT_EQ(r.trace.refusal, Refusal::kBreakerOpen);
  EXPECT_TRUE(r.trace.attempts.empty());
  EXPECT_EQ(up.seen.size(), 3u);
  EXPECT_EQ(p->Stats().rejected_breaker, 1u);
}

TEST_F(PipelineTest, TheBreakerInsideTheRetryLoopStopsItOnceOpen) {
  auto o = Plain();
  o.retry.max_attempts = 5;
  o.breaker = TinyBreaker(2);
  auto p = Make(o);
  Upstream up{Status(503)};
  auto r = Call(*p, up);
  ASSERT_TRUE(r.result);
  EXPECT_EQ(r.result->status, 503);  // the last real answer, not a synthetic one
  EXPECT_EQ(up.seen.size(), 2u);     // the third try was never sent
  EXPECT_EQ(r.trace.ended_by, "breaker_open");
  EXPECT_EQ(r.trace.attempts[1].breaker, BreakerState::kClosed);
}

TEST_F(PipelineTest, AnOutageOpensProbesAndCloses) {
  auto o = Plain();
  o.retry.max_attempts = 1;
  o.breaker = TinyBreaker(2);
  auto p = Make(o);
  Upstream down{Status(503)};
  Call(*p, down);
  Call(*p, down);
  EXPECT_EQ(p->breaker()->state(), BreakerState::kOpen);
  EXPECT_EQ(Call(*p, down).trace.refusal, Refusal::kBreakerOpen);
  timers_.Advance(seconds(5));
  Upstream up{Status(200)};
  auto probe = Call(*p, up);
  ASSERT_TRUE(probe.result);
  EXPECT_EQ(probe.trace.attempts[0].breaker, BreakerState::kHalfOpen);
  EXPECT_EQ(p->breaker()->state(), BreakerState::kClosed);
}

TEST_F(PipelineTest, BreakerTransitionsReachTheListener) {
  auto o = Plain();
  o.retry.max_attempts = 1;
  o.breaker = TinyBreaker(2);
  std::vector<std::string> events;
  PipelineDeps deps = Deps();
  deps.on_breaker_transition = [&events](const BreakerTransition& t) {
    events.push_back(std::string(NameOf(t.to)) + ":" + std::string(t.reason));
  };
  auto p = Pipeline::Create("up", o, deps).value();
  Upstream down{Status(503)};
  Call(*p, down);
  Call(*p, down);
  EXPECT_EQ(events, std::vector<std::string>{"open:failure_rate"});
}

TEST_F(PipelineTest, AHedgeWinsAgainstASlowPrimaryWhichIsCancelled) {
  auto o = Plain();
  o.hedge = HedgeOptions{.max_hedges = 1, .delay = milliseconds(100), .percentile = 0};
  o.budget = RetryBudgetOptions{.ratio = 0, .min_per_second = 1, .window = seconds(10)};
  auto p = Make(o);
  Upstream up{Slow(milliseconds(800)), Slow(milliseconds(20))};
  auto r = Call(*p, up);
  ASSERT_TRUE(r.result);
  EXPECT_EQ(r.trace.total, milliseconds(120));
  ASSERT_EQ(r.trace.attempts.size(), 2u);
  EXPECT_TRUE(r.trace.attempts[1].hedge);
  EXPECT_TRUE(r.trace.attempts[1].won);
  EXPECT_EQ(r.trace.attempts[0].outcome, "cancelled");
  EXPECT_EQ(up.cancelled, 1);
  EXPECT_EQ(up.finished, 2);  // the call returned only after the loser reported back
  EXPECT_EQ(p->Stats().hedges_won, 1u);
  EXPECT_EQ(p->budget()->Stats().withdrawn, 1u);  // the hedge was paid for
}

TEST_F(PipelineTest, HedgesCountAgainstTheBudget) {
  auto o = Plain();
  o.hedge = HedgeOptions{.max_hedges = 1, .delay = milliseconds(100), .percentile = 0};
  o.budget = RetryBudgetOptions{.ratio = 0, .min_per_second = 0, .window = seconds(10)};
  auto p = Make(o);
  Upstream up{Slow(milliseconds(800))};
  auto r = Call(*p, up);
  ASSERT_TRUE(r.result);
  EXPECT_EQ(r.trace.total, milliseconds(800));
  EXPECT_EQ(up.seen.size(), 1u);
  EXPECT_EQ(p->Stats().budget_exhausted, 1u);
}

TEST_F(PipelineTest, AFastPrimaryIsNeverHedged) {
  auto o = Plain();
  o.hedge = HedgeOptions{.max_hedges = 2, .delay = milliseconds(100), .percentile = 0};
  auto p = Make(o);
  Upstream up{Slow(milliseconds(99))};
  auto r = Call(*p, up);
  EXPECT_EQ(up.seen.size(), 1u);
  EXPECT_EQ(p->Stats().hedges, 0u);
}

TEST_F(PipelineTest, HedgeDelayFollowsThePercentileOfRecentLatencies) {
  auto o = Plain();
  o.hedge = HedgeOptions{
      .max_hedges = 1, .delay = seconds(2), .percentile = 50, .min_samples = 5, .window = 10};
  auto p = Make(o);
  Upstream fast{Slow(milliseconds(40))};
  for (int i = 0; i < 5; ++i) Call(*p, fast);
  EXPECT_EQ(p->latency()->Delay(), milliseconds(40));
  Upstream slow{Slow(seconds(1)), Slow(milliseconds(40))};
  auto r = Call(*p, slow);
  EXPECT_EQ(slow.started[1] - slow.started[0], milliseconds(40));  // at the median, not at 2 s
  EXPECT_EQ(r.trace.total, milliseconds(80));
}

TEST_F(PipelineTest, CancellingTheCallEndsItsBackoffSleep) {
  auto o = Plain();
  o.retry.backoff = {.kind = BackoffKind::kConstant,
                     .base = seconds(10),
                     .max = seconds(10),
                     .jitter = Jitter::kNone};
  o.timeout.total = seconds(60);
  auto p = Make(o);
  Upstream up{Status(503)};
  net::cancellation_signal cancel;
  auto slot = Start(*p, up, {}, &cancel);
  RunUntil(t0_ + seconds(1));  // failed at 10 ms, now sleeping until 10.01 s
  ASSERT_FALSE(*slot);
  cancel.emit(net::cancellation_type::terminal);
  Poll();
  ASSERT_TRUE(*slot);
  const auto& r = **slot;
  EXPECT_EQ(r.trace.refusal, Refusal::kCancelled);
  EXPECT_EQ(r.trace.total, seconds(1));
  EXPECT_EQ(up.seen.size(), 1u);
  EXPECT_EQ(p->Stats().cancelled, 1u);
  EXPECT_EQ(timers_.armed(), 0u);
}

TEST_F(PipelineTest, CancellingTheCallCancelsItsAttemptAndItsHedge) {
  auto o = Plain();
  o.hedge = HedgeOptions{.max_hedges = 1, .delay = milliseconds(100), .percentile = 0};
  auto p = Make(o);
  Upstream up{Slow(seconds(10))};
  net::cancellation_signal cancel;
  auto slot = Start(*p, up, {}, &cancel);
  RunUntil(t0_ + milliseconds(200));
  ASSERT_EQ(up.seen.size(), 2u);  // primary and hedge both running
  cancel.emit(net::cancellation_type::terminal);
  Poll();
  ASSERT_TRUE(*slot);
  EXPECT_EQ((**slot).trace.refusal, Refusal::kCancelled);
  EXPECT_EQ(up.cancelled, 2);
  EXPECT_EQ(up.finished, 2);
  EXPECT_FALSE((**slot).result);
}

TEST_F(PipelineTest, ACancelledHalfOpenProbeGivesItsPermitBack) {
  auto o = Plain();
  o.retry.max_attempts = 1;
  o.breaker = TinyBreaker(2);
  auto p = Make(o);
  Upstream down{Status(503)};
  Call(*p, down);
  Call(*p, down);
  timers_.Advance(seconds(5));
  Upstream hang{Slow(seconds(10))};
  net::cancellation_signal cancel;
  auto slot = Start(*p, hang, {}, &cancel);  // takes the only probe permit
  EXPECT_EQ(p->breaker()->Snapshot().probes_in_flight, 1);
  cancel.emit(net::cancellation_type::terminal);
  Poll();
  ASSERT_TRUE(*slot);
  EXPECT_EQ(p->breaker()->Snapshot().probes_in_flight, 0);
  Upstream up{Status(200)};
  EXPECT_TRUE(Call(*p, up).result);  // another call may probe, and closes the breaker
  EXPECT_EQ(p->breaker()->state(), BreakerState::kClosed);
}

TEST_F(PipelineTest, AFullBulkheadRejectsAtOnce) {
  auto o = Plain();
  o.bulkhead = BulkheadOptions{.max_concurrent = 1, .max_queue = 0, .max_wait = Dur::zero()};
  auto p = Make(o);
  Upstream slow{Slow(seconds(1))};
  auto first = Start(*p, slow);
  auto second = Call(*p, slow);
  ASSERT_FALSE(second.result);
  EXPECT_EQ(second.trace.refusal, Refusal::kBulkheadFull);
  EXPECT_EQ(second.trace.total, Dur::zero());
  RunUntilDone(first);
  EXPECT_TRUE((**first).result);
  EXPECT_EQ(p->bulkhead()->Stats().in_use, 0);
}

TEST_F(PipelineTest, AQueuedCallGetsTheSlotWhenItFrees) {
  auto o = Plain();
  o.bulkhead = BulkheadOptions{.max_concurrent = 1, .max_queue = 1, .max_wait = seconds(1)};
  auto p = Make(o);
  Upstream up{Slow(milliseconds(50))};
  auto first = Start(*p, up);
  auto second = Start(*p, up);
  EXPECT_EQ(p->bulkhead()->Stats().queued, 1);
  RunUntilDone(second);
  ASSERT_TRUE((**second).result);
  EXPECT_EQ((**second).trace.queued, milliseconds(50));
  EXPECT_EQ((**second).trace.total, milliseconds(100));
  EXPECT_EQ(p->bulkhead()->Stats().in_use, 0);
}

TEST_F(PipelineTest, AQueuedCallGivesUpAfterTheMaxWait) {
  auto o = Plain();
  o.bulkhead = BulkheadOptions{.max_concurrent = 1, .max_queue = 1, .max_wait = milliseconds(100)};
  auto p = Make(o);
  Upstream up{Slow(seconds(1))};
  auto first = Start(*p, up);
  auto second = Start(*p, up);
  RunUntilDone(second);
  EXPECT_EQ((**second).trace.refusal, Refusal::kBulkheadTimeout);
  EXPECT_EQ((**second).trace.queued, milliseconds(100));
  EXPECT_EQ(p->Stats().rejected_bulkhead, 1u);
  RunUntilDone(first);
  EXPECT_EQ(p->bulkhead()->Stats().in_use, 0);
  EXPECT_EQ(p->bulkhead()->Stats().queued, 0);
}

TEST_F(PipelineTest, AdaptiveThrottlingDropsCallsLocallyWhenTheUpstreamRefuses) {
  auto o = Plain();
  o.retry.max_attempts = 1;
  o.throttle = ThrottleOptions{.k = 1.0, .window = seconds(60)};
  auto p = Make(o);
  Upstream up{Status(503)};
  int throttled = 0;
  for (int i = 0; i < 50; ++i) throttled += Call(*p, up).trace.refusal == Refusal::kThrottled;
  EXPECT_GT(throttled, 25);
  EXPECT_EQ(up.seen.size() + static_cast<std::size_t>(throttled), 50u);
  EXPECT_EQ(p->Stats().rejected_throttle, static_cast<std::uint64_t>(throttled));
}

TEST_F(PipelineTest, AnOperationThatThrowsIsAPermanentInternalError) {
  auto p = Make(Plain());
  Upstream up{Throws()};
  auto r = Call(*p, up);
  ASSERT_FALSE(r.result);
  EXPECT_EQ(r.result.error().code, core::Code::kInternal);
  EXPECT_NE(r.result.error().detail.find("boom"), std::string::npos);
  EXPECT_EQ(up.seen.size(), 1u);
}

// ---- attempts run inline (the operation honours its own deadline) ----------------------------

TEST_F(PipelineTest, InlineAttemptsNeedNoChildNorTimer) {
  auto p = Make(Plain());
  Upstream up{Slow(milliseconds(10))};
  auto slot = Start(*p, up, {.operation_honours_deadline = true});
  EXPECT_EQ(timers_.armed(), 1u);  // only the upstream's own latency; no wake-up timer
  RunUntilDone(slot);
  ASSERT_TRUE((**slot).result);
  EXPECT_EQ((**slot).trace.total, milliseconds(10));
  auto child = Start(*p, up);
  EXPECT_EQ(timers_.armed(), 2u);  // a spawned attempt: its latency and the call's wake-up
  RunUntilDone(child);
}

TEST_F(PipelineTest, InlineAttemptsRetryWithTheSameBackoff) {
  auto p = Make(Plain());
  Upstream up{Status(503), Status(503), Status(200)};
  auto slot = Start(*p, up, {.operation_honours_deadline = true});
  RunUntilDone(slot);
  ASSERT_TRUE((**slot).result);
  ASSERT_EQ(up.started.size(), 3u);
  EXPECT_EQ(up.started[1] - t0_, milliseconds(35));
  EXPECT_EQ(up.started[2] - t0_, milliseconds(95));
  EXPECT_EQ(up.seen[1].timeout, seconds(1));
}

TEST_F(PipelineTest, AnInlineAttemptIsNotCutOffByThePipeline) {
  // The contract: the operation ends by its deadline itself. One that does not is not stopped.
  auto p = Make(Plain());
  Upstream up{Slow(seconds(3))};
  auto slot = Start(*p, up, {.operation_honours_deadline = true});
  RunUntilDone(slot);
  EXPECT_EQ((**slot).trace.attempts[0].duration, seconds(3));
  EXPECT_EQ(up.cancelled, 0);
}

TEST_F(PipelineTest, CancellingACallReachesItsInlineAttempt) {
  auto o = Plain();
  o.retry.max_attempts = 1;
  o.breaker = TinyBreaker(2);
  auto p = Make(o);
  Upstream down{Status(503)};
  Call(*p, down);
  Call(*p, down);
  timers_.Advance(seconds(5));  // half-open: the next call is the probe
  Upstream hang{Slow(seconds(10))};
  net::cancellation_signal cancel;
  auto slot = Start(*p, hang, {.operation_honours_deadline = true}, &cancel);
  EXPECT_EQ(p->breaker()->Snapshot().probes_in_flight, 1);
  cancel.emit(net::cancellation_type::terminal);
  Poll();
  ASSERT_TRUE(*slot);
  EXPECT_EQ((**slot).trace.refusal, Refusal::kCancelled);
  EXPECT_EQ(hang.cancelled, 1);  // the operation itself saw the cancellation
  EXPECT_EQ(p->breaker()->Snapshot().probes_in_flight, 0);
  EXPECT_EQ(p->breaker()->state(), BreakerState::kHalfOpen);  // ignored, not a failure
}

TEST_F(PipelineTest, HedgingStillSpawnsEvenWhenTheOperationHonoursItsDeadline) {
  auto o = Plain();
  o.hedge = HedgeOptions{.max_hedges = 1, .delay = milliseconds(100), .percentile = 0};
  auto p = Make(o);
  Upstream up{Slow(milliseconds(800)), Slow(milliseconds(20))};
  auto slot = Start(*p, up, {.operation_honours_deadline = true});
  RunUntilDone(slot);
  EXPECT_EQ((**slot).trace.total, milliseconds(120));
  EXPECT_EQ(up.cancelled, 1);
}

TEST_F(PipelineTest, CreateRejectsInvalidOptionsNamingTheField) {
  auto o = Plain();
  o.retry.max_attempts = 11;
  auto p = Pipeline::Create("up", o, Deps());
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().detail, "retry.max_attempts: must be in [1, 10]");
}

}  // namespace
}  // namespace reliability
