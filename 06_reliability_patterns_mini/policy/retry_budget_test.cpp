#include "06_reliability_patterns_mini/policy/retry_budget.hpp"

#include <gtest/gtest.h>

namespace reliability {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class RetryBudgetTest : public ::testing::Test {
 protected:
  RetryBudget Make(double ratio, double min_per_second,
                   core::Clock::duration window = seconds(10)) {
    return RetryBudget({.ratio = ratio, .min_per_second = min_per_second, .window = window},
                       clock_);
  }
  core::FakeClock clock_;
};

TEST_F(RetryBudgetTest, TheFloorAllowsMinPerSecondTimesTheWindow) {
  auto budget = Make(0, 2, seconds(5));  // 10 retries per window, however few calls
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(budget.TryWithdraw()) << i;
  EXPECT_FALSE(budget.TryWithdraw());
  EXPECT_EQ(budget.Stats().withdrawn, 10u);
  EXPECT_EQ(budget.Stats().exhausted, 1u);
}

TEST_F(RetryBudgetTest, EachCallEarnsRatioOfARetry) {
  auto budget = Make(0.2, 0);
  for (int i = 0; i < 4; ++i) budget.Deposit();
  EXPECT_FALSE(budget.TryWithdraw());  // 4 × 0.2 = 0.8 < 1
  budget.Deposit();
  EXPECT_TRUE(budget.TryWithdraw());  // 5 × 0.2 = 1
  EXPECT_FALSE(budget.TryWithdraw());
  for (int i = 0; i < 5; ++i) budget.Deposit();
  EXPECT_TRUE(budget.TryWithdraw());
  EXPECT_EQ(budget.Stats().deposits, 10u);
  EXPECT_EQ(budget.Stats().withdrawn, 2u);
  EXPECT_EQ(budget.Stats().exhausted, 2u);
}

TEST_F(RetryBudgetTest, AmplificationIsBoundedByTheRatio) {
  auto budget = Make(0.1, 0);
  int allowed = 0;
  for (int call = 0; call < 1000; ++call) {
    budget.Deposit();
    // Every call fails and wants two retries.
    allowed += budget.TryWithdraw() ? 1 : 0;
    allowed += budget.TryWithdraw() ? 1 : 0;
  }
  EXPECT_EQ(allowed, 100);
}

TEST_F(RetryBudgetTest, BalanceReportsWhatIsLeft) {
  auto budget = Make(0.5, 1, seconds(2));  // floor 2
  EXPECT_DOUBLE_EQ(budget.Balance(), 2.0);
  budget.Deposit();
  EXPECT_DOUBLE_EQ(budget.Balance(), 2.5);
  ASSERT_TRUE(budget.TryWithdraw());
  EXPECT_DOUBLE_EQ(budget.Balance(), 1.5);
}

TEST_F(RetryBudgetTest, DepositsExpireAtTheWindowEdge) {
  auto budget = Make(1.0, 0);
  budget.Deposit();
  clock_.Advance(seconds(10) - milliseconds(1));
  EXPECT_DOUBLE_EQ(budget.Balance(), 1.0);
  clock_.Advance(milliseconds(1));
  EXPECT_DOUBLE_EQ(budget.Balance(), 0.0);
  EXPECT_FALSE(budget.TryWithdraw());
}

TEST_F(RetryBudgetTest, SpentRetriesAreForgivenWhenTheyLeaveTheWindow) {
  auto budget = Make(0, 1, seconds(1));  // one retry per second
  EXPECT_TRUE(budget.TryWithdraw());
  EXPECT_FALSE(budget.TryWithdraw());
  clock_.Advance(milliseconds(999));
  EXPECT_FALSE(budget.TryWithdraw());
  clock_.Advance(milliseconds(1));
  EXPECT_TRUE(budget.TryWithdraw());
}

TEST_F(RetryBudgetTest, ZeroBudgetNeverRetries) {
  auto budget = Make(0, 0);
  for (int i = 0; i < 100; ++i) budget.Deposit();
  EXPECT_FALSE(budget.TryWithdraw());
}

}  // namespace
}  // namespace reliability
