// Decider: the local path (no coroutine, one shared key table for both entry points) and the
// remote path through a fake AsyncDecisionStore (validation before the round trip, the rule's
// shadow and failure modes applied to what the store answered, every outcome counted).
#include "01_rate_limiter_service_mini/service/decider.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <vector>

#include "01_rate_limiter_service_mini/limiter/sharded_memory_store.hpp"
#include "core/async/testing/run_task.hpp"
#include "core/base/clock.hpp"

namespace ratelimit {
namespace {

using core::testing::RunTask;
using namespace std::chrono_literals;

// Answers every decision with `answer` and records what it was asked.
class FakeRemoteStore final : public AsyncDecisionStore {
 public:
  struct Call {
    std::string rule;
    std::string key;
    std::int64_t cost;
  };

  core::Task<core::Result<Decision>> Decide(const Rule& rule, std::string key,
                                            std::int64_t cost) override {
    calls.push_back(Call{rule.name, std::move(key), cost});
    co_return answer;
  }

  core::Result<Decision> answer = Decision{.allowed = true, .limit = 5, .remaining = 4};
  std::vector<Call> calls;
};

Decision Refused() {
  return Decision{.allowed = false, .limit = 5, .remaining = 0, .retry_after = 2s};
}

class DeciderTest : public ::testing::Test {
 protected:
  const Rule& RuleNamed(std::string_view name) { return *limiter_->FindRule(name); }

  core::Result<Verdict> Await(Decider& decider, const Rule& rule, std::string key,
                              std::int64_t cost = 1) {
    return RunTask(ioc_, decider.Decide(rule, std::move(key), cost));
  }

  boost::asio::io_context ioc_;
  core::FakeClock clock_;
  ShardedMemoryStore store_;
  std::unique_ptr<Limiter> limiter_ =
      Limiter::Create({ParseRuleFlag("name=open,rate=1/s,burst=2,failure=open").value(),
                       ParseRuleFlag("name=closed,rate=1/s,burst=2,failure=closed").value(),
                       ParseRuleFlag("name=shadow,rate=1/s,burst=2,shadow=true").value()},
                      store_, clock_)
          .value();
  FakeRemoteStore remote_;
  Decider local_{*limiter_, nullptr};
  Decider shared_{*limiter_, &remote_};
};

TEST_F(DeciderTest, LocalDecisionsNeedNoCoroutine) {
  const Rule& rule = RuleNamed("open");
  for (int i = 0; i < 2; ++i) {
    auto verdict = local_.DecideLocally(rule, "k", 1);
    ASSERT_TRUE(verdict.has_value());
    ASSERT_TRUE(*verdict);
    EXPECT_EQ((*verdict)->outcome, Outcome::kAllowed);
  }
  auto third = local_.DecideLocally(rule, "k", 1);
  ASSERT_TRUE(third.has_value() && *third);
  EXPECT_TRUE((*third)->Blocked());
  EXPECT_EQ(limiter_->Stats(rule).allowed, 2u);
  EXPECT_EQ(limiter_->Stats(rule).limited, 1u);
}

TEST_F(DeciderTest, AwaitedLocalDecisionsShareTheSameKeyTable) {
  const Rule& rule = RuleNamed("open");
  ASSERT_TRUE(*local_.DecideLocally(rule, "k", 2));  // spends the whole burst
  auto awaited = Await(local_, rule, "k");
  ASSERT_TRUE(awaited);
  EXPECT_TRUE(awaited->Blocked());
  EXPECT_EQ(store_.size(), 1u);
}

TEST_F(DeciderTest, LocalBadRequestsAreErrors) {
  const Rule& rule = RuleNamed("open");
  auto negative = local_.DecideLocally(rule, "k", -1);
  ASSERT_TRUE(negative.has_value());
  ASSERT_FALSE(*negative);
  EXPECT_EQ(negative->error().code, core::Code::kInvalidArgument);
  auto awaited = Await(local_, rule, std::string(kMaxStoredKeyBytes + 1, 'k'));
  ASSERT_FALSE(awaited);
  EXPECT_EQ(awaited.error().code, core::Code::kInvalidArgument);
}

TEST_F(DeciderTest, ARemoteStoreMustBeAwaited) {
  EXPECT_FALSE(shared_.DecideLocally(RuleNamed("open"), "k", 1).has_value());
  EXPECT_TRUE(remote_.calls.empty());
}

TEST_F(DeciderTest, RemoteDecisionsGoToTheStoreNotTheLocalTable) {
  auto verdict = Await(shared_, RuleNamed("open"), "user-42", 3);
  ASSERT_TRUE(verdict);
  EXPECT_EQ(verdict->outcome, Outcome::kAllowed);
  EXPECT_FALSE(verdict->store_failed);
  EXPECT_EQ(verdict->decision.remaining, 4);
  ASSERT_EQ(remote_.calls.size(), 1u);
  EXPECT_EQ(remote_.calls[0].rule, "open");
  EXPECT_EQ(remote_.calls[0].key, "user-42");
  EXPECT_EQ(remote_.calls[0].cost, 3);
  EXPECT_EQ(store_.size(), 0u);
  EXPECT_EQ(limiter_->Stats(RuleNamed("open")).allowed, 1u);
}

TEST_F(DeciderTest, ARemoteRefusalIsLimited) {
  remote_.answer = Refused();
  auto verdict = Await(shared_, RuleNamed("open"), "k");
  ASSERT_TRUE(verdict);
  EXPECT_TRUE(verdict->Blocked());
  EXPECT_EQ(verdict->decision.retry_after, 2s);
  EXPECT_EQ(limiter_->Stats(RuleNamed("open")).limited, 1u);
}

TEST_F(DeciderTest, AShadowRuleAdmitsWhatTheStoreRefused) {
  remote_.answer = Refused();
  auto verdict = Await(shared_, RuleNamed("shadow"), "k");
  ASSERT_TRUE(verdict);
  EXPECT_EQ(verdict->outcome, Outcome::kShadowLimited);
  EXPECT_FALSE(verdict->Blocked());
  EXPECT_EQ(limiter_->Stats(RuleNamed("shadow")).shadow_limited, 1u);
}

TEST_F(DeciderTest, BadRequestsNeverReachTheRemoteStore) {
  auto negative = Await(shared_, RuleNamed("open"), "k", -1);
  ASSERT_FALSE(negative);
  EXPECT_EQ(negative.error().code, core::Code::kInvalidArgument);
  auto too_long = Await(shared_, RuleNamed("open"), std::string(kMaxStoredKeyBytes + 1, 'k'));
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().code, core::Code::kInvalidArgument);
  EXPECT_TRUE(remote_.calls.empty());
  EXPECT_EQ(limiter_->Stats(RuleNamed("open")).allowed, 0u);
}

TEST_F(DeciderTest, AFailedStoreFailsOpenForAnOpenRule) {
  remote_.answer = core::Error(core::Code::kUnavailable, "redis down");
  auto verdict = Await(shared_, RuleNamed("open"), "k");
  ASSERT_TRUE(verdict);  // a store failure is a verdict, not an error
  EXPECT_TRUE(verdict->store_failed);
  EXPECT_EQ(verdict->outcome, Outcome::kAllowed);
  const RuleStats stats = limiter_->Stats(RuleNamed("open"));
  EXPECT_EQ(stats.store_errors, 1u);
  EXPECT_EQ(stats.allowed, 1u);
}

TEST_F(DeciderTest, AFailedStoreFailsClosedForAClosedRule) {
  remote_.answer = core::Error(core::Code::kTimeout, "no answer");
  auto verdict = Await(shared_, RuleNamed("closed"), "k");
  ASSERT_TRUE(verdict);
  EXPECT_TRUE(verdict->store_failed);
  EXPECT_TRUE(verdict->Blocked());
  EXPECT_EQ(verdict->decision.retry_after, 1s);
  const RuleStats stats = limiter_->Stats(RuleNamed("closed"));
  EXPECT_EQ(stats.store_errors, 1u);
  EXPECT_EQ(stats.limited, 1u);
}

}  // namespace
}  // namespace ratelimit
