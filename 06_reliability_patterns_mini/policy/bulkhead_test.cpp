#include "06_reliability_patterns_mini/policy/bulkhead.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace reliability {
namespace {

using std::chrono::milliseconds;
using Admission = Bulkhead::Admission;

struct TestWaiter final : Bulkhead::Waiter {
  void Granted() noexcept override { ++granted; }
  int granted = 0;
};

TEST(BulkheadTest, AdmitsUpToMaxConcurrentThenRejectsAtOnce) {
  Bulkhead b({.max_concurrent = 2, .max_queue = 0, .max_wait = milliseconds(0)});
  TestWaiter w;
  EXPECT_EQ(b.TryAcquire(&w), Admission::kAcquired);
  EXPECT_EQ(b.TryAcquire(nullptr), Admission::kAcquired);
  EXPECT_EQ(b.TryAcquire(&w), Admission::kRejected);  // no queue configured
  EXPECT_EQ(b.Stats().in_use, 2);
  EXPECT_EQ(b.Stats().rejected, 1u);
  b.Release();
  EXPECT_EQ(b.TryAcquire(nullptr), Admission::kAcquired);
}

TEST(BulkheadTest, WaitersAreGrantedInArrivalOrder) {
  Bulkhead b({.max_concurrent = 1, .max_queue = 3, .max_wait = milliseconds(100)});
  ASSERT_EQ(b.TryAcquire(nullptr), Admission::kAcquired);
  TestWaiter first, second;
  EXPECT_EQ(b.TryAcquire(&first), Admission::kQueued);
  EXPECT_EQ(b.TryAcquire(&second), Admission::kQueued);
  EXPECT_EQ(b.Stats().queued, 2);
  b.Release();  // hands the permit to `first`
  EXPECT_EQ(first.granted, 1);
  EXPECT_EQ(second.granted, 0);
  EXPECT_EQ(b.Stats().in_use, 1);  // changed hands, never freed
  b.Release();
  EXPECT_EQ(second.granted, 1);
  b.Release();
  EXPECT_EQ(b.Stats().in_use, 0);
  EXPECT_EQ(b.Stats().acquired, 3u);
  EXPECT_EQ(b.Stats().waited, 2u);
}

TEST(BulkheadTest, ANewcomerCannotBargeAheadOfTheQueue) {
  Bulkhead b({.max_concurrent = 1, .max_queue = 1, .max_wait = milliseconds(100)});
  ASSERT_EQ(b.TryAcquire(nullptr), Admission::kAcquired);
  TestWaiter queued;
  ASSERT_EQ(b.TryAcquire(&queued), Admission::kQueued);
  b.Release();
  EXPECT_EQ(queued.granted, 1);
  EXPECT_EQ(b.TryAcquire(nullptr), Admission::kRejected);  // the slot went to the waiter
}

TEST(BulkheadTest, ABoundedQueue) {
  Bulkhead b({.max_concurrent = 1, .max_queue = 2, .max_wait = milliseconds(100)});
  ASSERT_EQ(b.TryAcquire(nullptr), Admission::kAcquired);
  TestWaiter a, c, d;
  EXPECT_EQ(b.TryAcquire(&a), Admission::kQueued);
  EXPECT_EQ(b.TryAcquire(&c), Admission::kQueued);
  EXPECT_EQ(b.TryAcquire(&d), Admission::kRejected);
  EXPECT_EQ(b.Stats().rejected, 1u);
}

TEST(BulkheadTest, CancellingAWaiterRemovesItFromAnyPosition) {
  Bulkhead b({.max_concurrent = 1, .max_queue = 3, .max_wait = milliseconds(100)});
  ASSERT_EQ(b.TryAcquire(nullptr), Admission::kAcquired);
  TestWaiter a, m, z;
  ASSERT_EQ(b.TryAcquire(&a), Admission::kQueued);
  ASSERT_EQ(b.TryAcquire(&m), Admission::kQueued);
  ASSERT_EQ(b.TryAcquire(&z), Admission::kQueued);
  EXPECT_TRUE(b.Cancel(&m));  // middle
  EXPECT_TRUE(b.Cancel(&a));  // head
  EXPECT_EQ(b.Stats().queued, 1);
  EXPECT_EQ(b.Stats().timed_out, 2u);
  b.Release();
  EXPECT_EQ(z.granted, 1);
  EXPECT_EQ(a.granted + m.granted, 0);
  EXPECT_TRUE(b.TryAcquire(&a) == Admission::kQueued);  // the tail pointer was kept right
}

TEST(BulkheadTest, CancelAfterTheGrantMeansThePermitIsHeld) {
  Bulkhead b({.max_concurrent = 1, .max_queue = 1, .max_wait = milliseconds(100)});
  ASSERT_EQ(b.TryAcquire(nullptr), Admission::kAcquired);
  TestWaiter w;
  ASSERT_EQ(b.TryAcquire(&w), Admission::kQueued);
  b.Release();
  EXPECT_FALSE(b.Cancel(&w));  // too late: the caller owns the permit...
  EXPECT_EQ(b.Stats().in_use, 1);
  b.Release();  // ...and gives it back
  EXPECT_EQ(b.Stats().in_use, 0);
}

TEST(BulkheadTest, NoWaitingWithoutAMaxWait) {
  Bulkhead b({.max_concurrent = 1, .max_queue = 5, .max_wait = milliseconds(0)});
  ASSERT_EQ(b.TryAcquire(nullptr), Admission::kAcquired);
  TestWaiter w;
  EXPECT_EQ(b.TryAcquire(&w), Admission::kRejected);
}

TEST(BulkheadTest, ExtraReleasesDoNotGoNegative) {
  Bulkhead b({.max_concurrent = 1, .max_queue = 0, .max_wait = milliseconds(0)});
  b.Release();
  EXPECT_EQ(b.Stats().in_use, 0);
}

}  // namespace
}  // namespace reliability
