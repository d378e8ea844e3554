// Concurrency behaviour of the store and the limiter: deterministic results (a frozen FakeClock
// makes the exact number of admissions known) that must also run clean under ThreadSanitizer.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "01_rate_limiter_service_mini/limiter/limiter.hpp"
#include "01_rate_limiter_service_mini/limiter/sharded_memory_store.hpp"

namespace ratelimit {
namespace {

constexpr int kThreads = 4;

template <class Fn>
void RunThreads(Fn fn) {
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(fn, t);
  for (auto& th : threads) th.join();
}

TEST(ShardedMemoryStoreConcurrencyTest, HotKeyAdmitsExactlyTheBurstAcrossThreads) {
  core::FakeClock clock;
  ShardedMemoryStore store;
  Rule rule = ParseRuleFlag("name=hot,rate=1/s,burst=100").value();
  std::atomic<int> allowed{0};
  RunThreads([&](int) {
    for (int i = 0; i < 500; ++i) {
      if (store.Decide(rule, "one-key", 1, clock.Now()).value().allowed) ++allowed;
    }
  });
  EXPECT_EQ(allowed.load(), 100);
}

TEST(ShardedMemoryStoreConcurrencyTest, ConcurrentFloodStaysWithinTheCap) {
  core::FakeClock clock;
  MemoryStoreOptions options;
  options.max_keys = 1000;
  options.shards = 16;
  ShardedMemoryStore store(options);
  const Rule rule = DefaultRule();
  RunThreads([&](int t) {
    for (int i = 0; i < 5000; ++i) {
      const std::string key = std::to_string(t) + ":" + std::to_string(i);
      ASSERT_TRUE(store.Decide(rule, key, 1, clock.Now()).value().allowed);
    }
  });
  const StoreStats stats = store.Stats();
  EXPECT_LE(store.size(), store.capacity());
  EXPECT_EQ(stats.tracked_keys + stats.evictions, kThreads * 5000u);
}

TEST(ShardedMemoryStoreConcurrencyTest, SweepRacesDecideSafely) {
  core::FakeClock clock;
  MemoryStoreOptions options;
  options.max_keys = 10'000;
  options.shards = 8;
  ShardedMemoryStore store(options);
  const Rule rule = DefaultRule();
  std::atomic<bool> done{false};
  std::thread sweeper([&] {
    while (!done.load()) store.Sweep(clock.Now());
  });
  RunThreads([&](int t) {
    for (int i = 0; i < 2000; ++i) {
      store.Decide(rule, std::to_string(t * 100 + i % 100), 1, clock.Now()).value();
      clock.Advance(std::chrono::milliseconds(1));
    }
  });
  done = true;
  sweeper.join();
  const StoreStats stats = store.Stats();
  EXPECT_EQ(stats.tracked_keys, store.size());
  EXPECT_LE(store.size(), 400u);
}

TEST(LimiterConcurrencyTest, CountersAddUpAcrossThreads) {
  core::FakeClock clock;
  ShardedMemoryStore store;
  auto limiter =
      Limiter::Create({ParseRuleFlag("name=r,rate=1/s,burst=10").value()}, store, clock).value();
  const Rule& rule = *limiter->FindRule("r");
  RunThreads([&](int t) {
    for (int i = 0; i < 1000; ++i) {
      ASSERT_TRUE(limiter->Check(rule, std::to_string(t), 1));
    }
  });
  const RuleStats stats = limiter->Stats(rule);
  EXPECT_EQ(stats.allowed, kThreads * 10u);
  EXPECT_EQ(stats.limited, kThreads * 990u);
}

}  // namespace
}  // namespace ratelimit
