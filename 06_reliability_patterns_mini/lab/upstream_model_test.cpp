#include "06_reliability_patterns_mini/lab/upstream_model.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace reliability::lab {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

UpstreamBehavior Parse(std::string_view text, core::Clock::time_point now = {}) {
  auto b = ParseBehavior(text, now);
  EXPECT_TRUE(b) << b.error().detail;
  return b ? *b : UpstreamBehavior{};
}

std::string ErrorOf(std::string_view text) {
  auto b = ParseBehavior(text, {});
  return b ? "(parsed)" : b.error().detail;
}

TEST(UpstreamBehaviorTest, DefaultsAreHealthyAndFast) {
  const auto b = Parse("{}");
  EXPECT_EQ(b.error_rate, 0);
  EXPECT_EQ(b.latency.kind, LatencyKind::kFixed);
  EXPECT_EQ(b.latency.ms, milliseconds(1));
  EXPECT_FALSE(b.down_until);
}

TEST(UpstreamBehaviorTest, ReadsEveryLatencyKind) {
  EXPECT_EQ(Parse(R"({"latency":{"kind":"uniform","min_ms":1,"max_ms":9}})").latency.max,
            milliseconds(9));
  EXPECT_EQ(Parse(R"({"latency":{"kind":"lognormal","median_ms":5,"p99_ms":100}})").latency.p99,
            milliseconds(100));
  EXPECT_DOUBLE_EQ(
      Parse(R"({"latency":{"kind":"bimodal","ms":5,"slow_fraction":0.1,"slow_factor":30}})")
          .latency.slow_factor,
      30);
}

TEST(UpstreamBehaviorTest, AnOutageStartsNow) {
  core::FakeClock clock;
  const auto b =
      Parse(R"({"down_for_ms":10000,"error_status":503,"retry_after_s":2})", clock.Now());
  ASSERT_TRUE(b.down_until);
  EXPECT_EQ(*b.down_until, clock.Now() + seconds(10));
  EXPECT_EQ(b.retry_after, seconds(2));
}

TEST(UpstreamBehaviorTest, ErrorsNameTheField) {
  EXPECT_EQ(ErrorOf(R"({"error_rate":2})"), "behavior.error_rate: must be in [0, 1]");
  EXPECT_EQ(ErrorOf(R"({"error_status":200})"), "behavior.error_status: must be in [400, 599]");
  EXPECT_EQ(ErrorOf(R"({"eror_rate":0.1})"),
            "behavior.eror_rate: unknown member (expected error_rate, error_status, "
            "retry_after_s, capacity, down_for_ms, latency)");
  EXPECT_EQ(ErrorOf(R"({"latency":{"kind":"gamma"}})"),
            "behavior.latency.kind: must be one of fixed, uniform, lognormal, bimodal");
  EXPECT_EQ(ErrorOf(R"({"latency":{"kind":"uniform","min_ms":5,"max_ms":1}})"),
            "behavior.latency.max_ms: must be >= min_ms");
  EXPECT_EQ(ErrorOf(R"({"latency":{"kind":"fixed","ms":120000}})"),
            "behavior.latency.ms: at most 60000 ms");
  EXPECT_EQ(ErrorOf(R"({"latency":{"kind":"fixed","median_ms":3}})"),
            "behavior.latency.median_ms: unknown member (expected kind, ms)");
  EXPECT_EQ(ErrorOf(R"({"capacity":-1})"),
            "behavior.capacity: must be in [0, 1000000] (0 = unlimited)");
  EXPECT_EQ(ErrorOf(R"({"down_for_ms":"soon"})"), "behavior.down_for_ms: must be a number");
  EXPECT_NE(ErrorOf("{").find("behavior: invalid JSON"), std::string::npos);
  EXPECT_EQ(ErrorOf("[]"), "behavior: must be an object");
}

TEST(UpstreamBehaviorTest, JsonRoundTrips) {
  core::FakeClock clock;
  for (
      const char* text : {
          R"({"error_rate":0.25,"error_status":429,"retry_after_s":1,"capacity":7,"down_for_ms":0,"latency":{"kind":"uniform","min_ms":1,"max_ms":4.5}})",
          R"({"error_rate":0,"error_status":503,"capacity":0,"down_for_ms":0,"latency":{"kind":"bimodal","ms":5,"slow_fraction":0.05,"slow_factor":20}})",
      }) {
    EXPECT_EQ(BehaviorToJson(Parse(text, clock.Now()), clock.Now()), text);
  }
}

TEST(UpstreamModelTest, LatencyDistributionsHaveTheirShape) {
  SeededRandom random(3);
  constexpr int kN = 100'000;
  auto sorted = [&](const LatencyModel& m) {
    std::vector<double> v;
    v.reserve(kN);
    for (int i = 0; i < kN; ++i) {
      v.push_back(
          std::chrono::duration<double, std::milli>(UpstreamModel::DrawLatency(m, random)).count());
    }
    std::sort(v.begin(), v.end());
    return v;
  };
  LatencyModel lognormal{
      .kind = LatencyKind::kLognormal, .ms = milliseconds(5), .p99 = milliseconds(100)};
  auto l = sorted(lognormal);
  EXPECT_NEAR(l[kN / 2], 5.0, 0.25);
  EXPECT_NEAR(l[kN * 99 / 100], 100.0, 8.0);

  LatencyModel uniform{
      .kind = LatencyKind::kUniform, .ms = milliseconds(2), .max = milliseconds(4)};
  auto u = sorted(uniform);
  EXPECT_GE(u.front(), 2.0);
  EXPECT_LE(u.back(), 4.0);
  EXPECT_NEAR(u[kN / 2], 3.0, 0.05);

  LatencyModel bimodal{.kind = LatencyKind::kBimodal,
                       .ms = milliseconds(5),
                       .slow_fraction = 0.05,
                       .slow_factor = 20};
  auto b = sorted(bimodal);
  const auto slow = std::count(b.begin(), b.end(), 100.0);
  EXPECT_NEAR(static_cast<double>(slow) / kN, 0.05, 0.005);
  EXPECT_EQ(b[kN / 2], 5.0);
}

TEST(UpstreamModelTest, ErrorRateAndDeterminism) {
  core::FakeClock clock;
  UpstreamBehavior flaky;
  flaky.error_rate = 0.3;
  UpstreamModel a(flaky, 42, clock), b(flaky, 42, clock);
  int errors = 0;
  for (int i = 0; i < 10'000; ++i) {
    const Reply ra = a.Begin(), rb = b.Begin();
    ASSERT_EQ(ra.status, rb.status);  // same seed, same story
    errors += ra.status != 200;
    a.Finish();
    b.Finish();
  }
  EXPECT_NEAR(errors / 10'000.0, 0.3, 0.02);
  EXPECT_EQ(a.Stats().errors, static_cast<std::uint64_t>(errors));
}

TEST(UpstreamModelTest, AnOutageFailsAtOnceUntilItEnds) {
  core::FakeClock clock;
  UpstreamBehavior down;
  down.latency.ms = milliseconds(50);
  down.down_until = clock.Now() + seconds(10);
  UpstreamModel m(down, 1, clock);
  Reply r = m.Begin();
  EXPECT_EQ(r.status, 503);
  EXPECT_TRUE(r.outage);
  EXPECT_EQ(r.latency, Duration::zero());
  m.Finish();
  clock.Advance(seconds(10));
  r = m.Begin();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.latency, milliseconds(50));
}

TEST(UpstreamModelTest, BeyondCapacityEveryoneSlowsDown) {
  core::FakeClock clock;
  UpstreamBehavior b;
  b.latency.ms = milliseconds(10);
  b.capacity = 2;
  UpstreamModel m(b, 1, clock);
  EXPECT_EQ(m.Begin().latency, milliseconds(10));
  EXPECT_EQ(m.Begin().latency, milliseconds(10));
  EXPECT_EQ(m.Begin().latency, milliseconds(15));  // 3 in flight on 2 slots
  EXPECT_EQ(m.Begin().latency, milliseconds(20));
  EXPECT_EQ(m.Stats().max_in_flight, 4);
  for (int i = 0; i < 4; ++i) m.Finish();
  EXPECT_EQ(m.Stats().in_flight, 0);
}

}  // namespace
}  // namespace reliability::lab
