#include "01_rate_limiter_service_mini/limiter/limiter.hpp"

#include <gtest/gtest.h>

#include "01_rate_limiter_service_mini/limiter/sharded_memory_store.hpp"

namespace ratelimit {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A remote store that is down: every call fails the way a Redis timeout would.
class DownStore final : public DecisionStore {
 public:
  core::Result<Decision> Decide(const Rule&, std::string_view, std::int64_t,
                                core::Clock::time_point) override {
    ++calls;
    return core::Error(core::Code::kUnavailable, "redis: connection refused");
  }
  int calls = 0;
};

std::unique_ptr<Limiter> MakeLimiter(std::vector<Rule> rules, DecisionStore& store,
                                     const core::Clock& clock) {
  return Limiter::Create(std::move(rules), store, clock).value();
}

class LimiterTest : public ::testing::Test {
 protected:
  core::FakeClock clock_;
  ShardedMemoryStore store_;
};

TEST_F(LimiterTest, CreateRejectsNoRules) {
  auto r = Limiter::Create({}, store_, clock_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::Code::kInvalidArgument);
}

TEST_F(LimiterTest, CreateRejectsDuplicateNames) {
  auto r = Limiter::Create({DefaultRule(), DefaultRule()}, store_, clock_);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail, "rules[1].name: duplicate rule name 'default'");
}

TEST_F(LimiterTest, SeedPolicyAdmitsFiveThenAsksToWaitHalfASecond) {
  auto limiter = MakeLimiter({DefaultRule()}, store_, clock_);
  for (int i = 0; i < 5; ++i) {
    const Verdict v = limiter->Check("default", "203.0.113.7").value();
    ASSERT_EQ(v.outcome, Outcome::kAllowed);
    EXPECT_EQ(v.decision.remaining, 4 - i);
  }
  const Verdict v = limiter->Check("default", "203.0.113.7").value();
  EXPECT_TRUE(v.Blocked());
  EXPECT_EQ(v.decision.retry_after, milliseconds(500));
  clock_.Advance(milliseconds(500));
  EXPECT_FALSE(limiter->Check("default", "203.0.113.7").value().Blocked());
}

TEST_F(LimiterTest, ClientsAreLimitedIndependently) {
  auto limiter = MakeLimiter({DefaultRule()}, store_, clock_);
  for (int i = 0; i < 5; ++i) ASSERT_FALSE(limiter->Check("default", "a").value().Blocked());
  EXPECT_TRUE(limiter->Check("default", "a").value().Blocked());
  EXPECT_FALSE(limiter->Check("default", "b").value().Blocked());
}

TEST_F(LimiterTest, UnknownRuleIsAnInvalidArgument) {
  auto limiter = MakeLimiter({DefaultRule()}, store_, clock_);
  auto r = limiter->Check("nope", "a");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::Code::kInvalidArgument);
  EXPECT_EQ(r.error().detail, "rule: no rule named 'nope'");
  EXPECT_EQ(limiter->FindRule("nope"), nullptr);
}

TEST_F(LimiterTest, NegativeCostIsAnInvalidArgument) {
  auto limiter = MakeLimiter({DefaultRule()}, store_, clock_);
  auto r = limiter->Check("default", "a", -1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail, "cost: must be >= 0");
}

TEST_F(LimiterTest, OversizedKeyIsAnInvalidArgument) {  // the backstop behind the front doors
  auto limiter = MakeLimiter({DefaultRule()}, store_, clock_);
  EXPECT_TRUE(limiter->Check("default", std::string(kMaxStoredKeyBytes, 'k')));
  auto r = limiter->Check("default", std::string(kMaxStoredKeyBytes + 1, 'k'));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::Code::kInvalidArgument);
}

TEST_F(LimiterTest, DecidesTheLongestKeyAClientMayChooseThroughEitherFrontDoor) {
  auto limiter = MakeLimiter({DefaultRule()}, store_, clock_);
  const std::string longest(kMaxKeyBytes, 'k');
  EXPECT_TRUE(limiter->Check("default", HeaderKey("x-api-key", longest).value()));  // middleware
  EXPECT_TRUE(limiter->Check("default", longest));                                  // /v1/check
}

TEST_F(LimiterTest, CostZeroPeeksAndCountsAsAllowed) {
  auto limiter = MakeLimiter({DefaultRule()}, store_, clock_);
  const Verdict v = limiter->Check("default", "a", 0).value();
  EXPECT_EQ(v.outcome, Outcome::kAllowed);
  EXPECT_EQ(v.decision.remaining, 5);
  EXPECT_EQ(store_.size(), 0u);
}

TEST_F(LimiterTest, CostAboveBurstIsLimitedForever) {
  auto limiter = MakeLimiter({DefaultRule()}, store_, clock_);
  const Verdict v = limiter->Check("default", "a", 6).value();
  EXPECT_TRUE(v.Blocked());
  EXPECT_TRUE(v.decision.RetryNever());
}

TEST_F(LimiterTest, CountsOutcomesPerRule) {
  const Rule other = ParseRuleFlag("name=other,rate=2/s,burst=5").value();
  auto limiter = MakeLimiter({DefaultRule(), other}, store_, clock_);
  for (int i = 0; i < 7; ++i) (void)limiter->Check("default", "a");
  (void)limiter->Check("other", "a");
  const RuleStats d = limiter->Stats(*limiter->FindRule("default"));
  EXPECT_EQ(d.allowed, 5u);
  EXPECT_EQ(d.limited, 2u);
  EXPECT_EQ(d.shadow_limited, 0u);
  EXPECT_EQ(limiter->Stats(*limiter->FindRule("other")).allowed, 1u);
  EXPECT_EQ(limiter->store_stats().tracked_keys, 2u);
}

TEST_F(LimiterTest, ShadowRuleCountsButNeverBlocks) {
  Rule shadow = ParseRuleFlag("name=s,rate=1/s,burst=1,shadow=true").value();
  auto limiter = MakeLimiter({shadow}, store_, clock_);
  ASSERT_EQ(limiter->Check("s", "a").value().outcome, Outcome::kAllowed);
  const Verdict v = limiter->Check("s", "a").value();
  EXPECT_EQ(v.outcome, Outcome::kShadowLimited);
  EXPECT_FALSE(v.Blocked());
  EXPECT_FALSE(v.decision.allowed) << "the numbers are the real ones";
  EXPECT_EQ(limiter->Stats(*limiter->FindRule("s")).shadow_limited, 1u);
}

TEST_F(LimiterTest, StoreFailureFailsOpenByDefault) {
  DownStore down;
  auto limiter = MakeLimiter({DefaultRule()}, down, clock_);
  const Verdict v = limiter->Check("default", "a").value();
  EXPECT_TRUE(v.store_failed);
  EXPECT_EQ(v.outcome, Outcome::kAllowed);
  const RuleStats s = limiter->Stats(*limiter->FindRule("default"));
  EXPECT_EQ(s.store_errors, 1u);
  EXPECT_EQ(s.allowed, 1u);
}

TEST_F(LimiterTest, StoreFailureFailsClosedWhenConfigured) {
  DownStore down;
  auto limiter =
      MakeLimiter({ParseRuleFlag("name=c,rate=2/s,failure=closed").value()}, down, clock_);
  const Verdict v = limiter->Check("c", "a").value();
  EXPECT_TRUE(v.store_failed);
  EXPECT_TRUE(v.Blocked());
  EXPECT_EQ(v.decision.retry_after, seconds(1));
  EXPECT_EQ(limiter->Stats(*limiter->FindRule("c")).limited, 1u);
}

TEST_F(LimiterTest, ShadowRuleNeverBlocksEvenWhenFailingClosed) {
  DownStore down;
  auto limiter = MakeLimiter({ParseRuleFlag("name=c,rate=2/s,failure=closed,shadow=true").value()},
                             down, clock_);
  EXPECT_EQ(limiter->Check("c", "a").value().outcome, Outcome::kShadowLimited);
}

TEST_F(LimiterTest, InvalidRequestNeverReachesTheStore) {
  DownStore down;
  auto limiter = MakeLimiter({DefaultRule()}, down, clock_);
  EXPECT_FALSE(limiter->Check("default", "a", -5));
  EXPECT_EQ(down.calls, 0);
}

TEST_F(LimiterTest, FinishAppliesPolicyToAnAsyncStoresAnswer) {
  auto limiter = MakeLimiter({DefaultRule()}, store_, clock_);
  const Rule& rule = *limiter->FindRule("default");
  ASSERT_TRUE(Limiter::ValidateRequest("a", 1));
  Decision refused;
  refused.limit = 5;
  refused.retry_after = milliseconds(200);
  const Verdict v = limiter->Finish(rule, refused);
  EXPECT_TRUE(v.Blocked());
  EXPECT_EQ(limiter->Stats(rule).limited, 1u);
}

TEST(OutcomeTest, NamesAreMetricLabels) {
  EXPECT_EQ(NameOf(Outcome::kAllowed), "allowed");
  EXPECT_EQ(NameOf(Outcome::kLimited), "limited");
  EXPECT_EQ(NameOf(Outcome::kShadowLimited), "shadow_limited");
}

}  // namespace
}  // namespace ratelimit
