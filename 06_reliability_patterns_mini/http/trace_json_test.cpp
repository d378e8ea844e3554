#include "06_reliability_patterns_mini/http/trace_json.hpp"

#include <gtest/gtest.h>

namespace reliability {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

TEST(TraceJsonTest, RendersEveryAttempt) {
  CallTrace t;
  AttemptRecord a;
  a.number = 1;
  a.offset = microseconds(0);
  a.duration = microseconds(1500);
  a.outcome = "status";
  a.status = 503;
  a.verdict = Verdict::kRetryable;
  t.attempts.push_back(a);
  a.number = 2;
  a.hedge = true;
  a.offset = microseconds(26'500);
  a.duration = microseconds(1234);
  a.outcome = "ok";
  a.status = 200;
  a.verdict = Verdict::kSuccess;
  a.breaker = BreakerState::kHalfOpen;
  a.won = true;
  t.attempts.push_back(a);
  t.ended_by = "success";
  t.total = microseconds(27'734);
  t.retries = 1;
  EXPECT_EQ(TraceJson(t),
            R"({"attempts":[{"n":1,"hedge":false,"offset_ms":0.000,"duration_ms":1.500,)"
            R"("outcome":"status","status":503,"verdict":"retryable","breaker":"closed",)"
            R"("won":false},{"n":2,"hedge":true,"offset_ms":26.500,"duration_ms":1.234,)"
            R"("outcome":"ok","status":200,"verdict":"success","breaker":"half_open",)"
            R"("won":true}],"ended_by":"success","refusal":"none","total_ms":27.734,)"
            R"("queued_ms":0.000,"retries":1,"hedges":0})");
}

TEST(TraceJsonTest, EscapesStrings) {
  std::string out;
  AppendJsonString(out, "a\"b\\c\n\x01");
  EXPECT_EQ(out, R"("a\"b\\c\u000a\u0001")");
}

TEST(TraceJsonTest, RendersABreaker) {
  core::FakeClock clock;
  BreakerOptions o;
  o.window_size = 2;
  o.minimum_calls = 2;
  CircuitBreaker b(o, clock);
  for (int i = 0; i < 2; ++i) b.Record(b.TryAcquire(), Health::kFailure, milliseconds(1));
  clock.Advance(milliseconds(800));
  const std::string json = BreakerJson("up", b.Snapshot(), clock.Now());
  EXPECT_EQ(json, R"({"name":"up","state":"open","calls":2,"failures":2,"slow":0,"failure_rate":1,)"
                  R"("slow_call_rate":0,"probes_in_flight":0,"probe_successes":0,)"
                  R"("open_remaining_ms":4200.000,"rejected":0,"transitions":{"closed":0,"open":1,)"
                  R"("half_open":0,"forced_open":0,"disabled":0},"recent":[{"from":"closed",)"
                  R"("to":"open","reason":"failure_rate","ago_ms":800.000}]})");
}

}  // namespace
}  // namespace reliability
