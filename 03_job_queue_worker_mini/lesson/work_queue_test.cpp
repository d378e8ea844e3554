#include "03_job_queue_worker_mini/lesson/work_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <numeric>
#include <thread>
#include <vector>

#include "03_job_queue_worker_mini/lesson/testing_wait.hpp"
#include "03_job_queue_worker_mini/lesson/worker_pool.hpp"

namespace lesson {
namespace {

using testing::WaitUntil;
using namespace std::chrono_literals;

TEST(WorkQueueTest, PopsInFifoOrder) {
  WorkQueue<int> q(3);
  for (int i = 1; i <= 3; ++i) {
    int item = i;
    ASSERT_EQ(q.TryPush(item), PushResult::kOk);
  }
  EXPECT_EQ(*q.Pop(), 1);
  EXPECT_EQ(*q.Pop(), 2);
  EXPECT_EQ(*q.Pop(), 3);
}

TEST(WorkQueueTest, TryPushRejectsWhenFullAndKeepsTheItem) {
  WorkQueue<std::vector<int>> q(1);
  std::vector<int> first{1};
  ASSERT_EQ(q.TryPush(first), PushResult::kOk);
  std::vector<int> second{2, 3};
  EXPECT_EQ(q.TryPush(second), PushResult::kFull);
  EXPECT_EQ(second, (std::vector<int>{2, 3}));  // not moved from
  const QueueStats s = q.Stats();
  EXPECT_EQ(s.depth, 1u);
  EXPECT_EQ(s.rejected, 1u);
}

TEST(WorkQueueTest, PushForTimesOutWhenNobodyMakesRoom) {
  WorkQueue<int> q(1);
  int a = 1, b = 2;
  ASSERT_EQ(q.TryPush(a), PushResult::kOk);
  EXPECT_EQ(q.PushFor(b, 1ms), PushResult::kTimedOut);
  EXPECT_EQ(q.Stats().timed_out, 1u);
  EXPECT_EQ(q.Stats().blocked_producers, 0u);
}

TEST(WorkQueueTest, BlockedProducerProceedsWhenAWorkerTakesAnItem) {
  WorkQueue<int> q(2);
  int a = 1, b = 2;
  ASSERT_EQ(q.TryPush(a), PushResult::kOk);
  ASSERT_EQ(q.TryPush(b), PushResult::kOk);
  std::atomic<PushResult> result{PushResult::kTimedOut};
  std::thread producer([&] {
    int c = 3;
    result = q.PushFor(c, 60s);
  });
  ASSERT_TRUE(WaitUntil([&] { return q.Stats().blocked_producers == 1; }));
  EXPECT_EQ(q.Stats().pushed, 2u);  // still waiting: backpressure
  EXPECT_EQ(*q.Pop(), 1);
  producer.join();
  EXPECT_EQ(result.load(), PushResult::kOk);
  EXPECT_EQ(*q.Pop(), 2);
  EXPECT_EQ(*q.Pop(), 3);
}

TEST(WorkQueueTest, CloseWakesBlockedProducersWithClosed) {
  WorkQueue<int> q(1);
  int a = 1;
  ASSERT_EQ(q.TryPush(a), PushResult::kOk);
  std::atomic<PushResult> result{PushResult::kOk};
  std::thread producer([&] {
    int b = 2;
    result = q.PushFor(b, 60s);
  });
  ASSERT_TRUE(WaitUntil([&] { return q.Stats().blocked_producers == 1; }));
  q.Close();
  producer.join();
  EXPECT_EQ(result.load(), PushResult::kClosed);
}

TEST(WorkQueueTest, ClosedQueueDrainsThenEnds) {
  WorkQueue<int> q(4);
  int a = 1, b = 2;
  ASSERT_EQ(q.TryPush(a), PushResult::kOk);
  ASSERT_EQ(q.TryPush(b), PushResult::kOk);
  q.Close();
  int c = 3;
  EXPECT_EQ(q.TryPush(c), PushResult::kClosed);
  EXPECT_EQ(q.PushFor(c, 1s), PushResult::kClosed);
  EXPECT_EQ(*q.Pop(), 1);
  EXPECT_EQ(*q.Pop(), 2);
  EXPECT_FALSE(q.Pop().has_value());
  EXPECT_FALSE(q.Pop().has_value());
}

TEST(WorkerPoolTest, EveryAcceptedItemIsProcessedExactlyOnce) {
  constexpr int kProducers = 4, kPerProducer = 2000;
  WorkQueue<int> q(8);
  std::vector<std::atomic<int>> seen(std::size_t{kProducers} * kPerProducer);
  {
    WorkerPool<int> pool(q, 3, [&](std::size_t, int& item) { seen[item].fetch_add(1); });
    std::vector<std::thread> producers;
    producers.reserve(kProducers);
    for (int p = 0; p < kProducers; ++p) {
      producers.emplace_back([&, p] {
        for (int i = 0; i < kPerProducer; ++i) {
          int item = p * kPerProducer + i;
          ASSERT_EQ(q.PushFor(item, 60s), PushResult::kOk);
        }
      });
    }
    for (auto& t : producers) t.join();
    q.Close();
    pool.Drain();
  }
  for (auto& s : seen) ASSERT_EQ(s.load(), 1);
  EXPECT_LE(q.Stats().max_depth, 8u);
}

TEST(WorkerPoolTest, DestroyingThePoolDrainsWhatWasAccepted) {
  WorkQueue<int> q(16);
  std::atomic<int> sum{0};
  {
    WorkerPool<int> pool(q, 2, [&](std::size_t, int& item) { sum += item; });
    for (int i = 1; i <= 10; ++i) {
      int item = i;
      ASSERT_EQ(q.PushFor(item, 60s), PushResult::kOk);
    }
  }  // no explicit Close/Drain: the destructor does both
  EXPECT_EQ(sum.load(), 55);
}

}  // namespace
}  // namespace lesson
