#include "core/base/mutex.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>
#include <vector>

namespace core {
namespace {

// What the tests below share, annotated as production code is (the thread-safety check parses
// this file too).
struct Box {
  Mutex mu;
  CondVar changed;
  int value SD_GUARDED_BY(mu) = 0;
  bool ready SD_GUARDED_BY(mu) = false;
};

// True when nobody holds `mu` (it is taken and given back at once).
bool IsFree(Mutex& mu) {
  if (!mu.TryLock()) return false;
  mu.Unlock();
  return true;
}

TEST(MutexLockTest, ReleasesAtTheEndOfTheScope) {
  Mutex mu;
  {
    MutexLock lock(mu);
    EXPECT_FALSE(std::async(std::launch::async, [&mu] { return IsFree(mu); }).get());
  }
  EXPECT_TRUE(IsFree(mu));
}

TEST(MutexLockTest, UnlockAndLockDropAndRetakeTheMutexInsideTheScope) {
  Box box;
  MutexLock lock(box.mu);
  lock.Unlock();
  std::thread other([&box] {
    MutexLock other_lock(box.mu);  // would deadlock if Unlock had not released it
    box.value = 1;
  });
  other.join();
  lock.Lock();
  EXPECT_EQ(box.value, 1);
}

TEST(CondVarTest, WaitReturnsWithTheMutexHeldOnceTheConditionHolds) {
  Box box;
  std::thread producer([&box] {
    MutexLock lock(box.mu);
    box.value = 42;
    box.ready = true;
    box.changed.NotifyAll();
  });
  {
    MutexLock lock(box.mu);
    while (!box.ready) box.changed.Wait(box.mu);
    EXPECT_EQ(box.value, 42);
  }
  producer.join();
  EXPECT_TRUE(IsFree(box.mu));  // the waiter's MutexLock released it once, at its end
}

TEST(CondVarTest, WaitUntilReportsATimeoutOnceTheDeadlineHasPassed) {
  Box box;
  MutexLock lock(box.mu);
  const auto past = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  EXPECT_EQ(box.changed.WaitUntil(box.mu, past), std::cv_status::timeout);
  box.value = 1;  // still held after the wait
}

TEST(SharedMutexTest, WritersExcludeEachOtherAndReadersSeeTheirWrites) {
  struct {
    SharedMutex mu;
    int total SD_GUARDED_BY(mu) = 0;
  } shared;
  constexpr int kThreads = 4;
  constexpr int kAdds = 10'000;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&shared] {
      for (int i = 0; i < kAdds; ++i) {
        WriterLock lock(shared.mu);
        ++shared.total;
      }
    });
  }
  for (auto& t : threads) t.join();
  ReaderLock lock(shared.mu);
  EXPECT_EQ(shared.total, kThreads * kAdds);
}

}  // namespace
}  // namespace core
