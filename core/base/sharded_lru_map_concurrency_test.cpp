// ShardedLruMap under threads (run under TSan in CI, label tsan): a handle is a critical section
// for its key, and the counters add up while inserts, evictions, erases and sweeps race.
// Deterministic: assertions are about totals, never about interleavings.
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "core/base/sharded_lru_map.hpp"

namespace core {
namespace {

struct Tagged {
  std::string owner;  // the key this value was inserted under
  std::uint64_t uses = 0;
};

TEST(ShardedLruMapConcurrencyTest, AHandleExcludesEveryOtherUserOfItsKey) {
  constexpr int kThreads = 4;
  constexpr int kRounds = 5000;
  ShardedLruMap<std::uint64_t> map({.capacity = 64, .shards = 8, .hash_key = std::nullopt});
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      for (int i = 0; i < kRounds; ++i) {
        auto slot = map.Lock("hot");
        if (std::uint64_t* n = slot.value()) {
          ++*n;  // a plain read-modify-write: only the shard lock makes it safe
          slot.Touch();
        } else {
          slot.Insert(1);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  auto slot = map.Lock("hot");
  ASSERT_NE(slot.value(), nullptr);
  EXPECT_EQ(*slot.value(), std::uint64_t{kThreads} * kRounds);
}

TEST(ShardedLruMapConcurrencyTest, CountersAddUpUnderRacingInsertsErasesAndSweeps) {
  constexpr int kThreads = 4;
  constexpr int kRounds = 20'000;
  constexpr int kKeys = 500;  // more keys than room: evictions happen all the time
  ShardedLruMap<Tagged> map({.capacity = 128, .shards = 4, .hash_key = std::nullopt});
  std::atomic<std::uint64_t> inserted{0}, erased{0}, mixed_up{0};
  std::atomic<bool> writers_done{false};
  std::latch start(kThreads + 1);

  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      std::uint64_t x = 0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(t + 1);
      for (int i = 0; i < kRounds; ++i) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;  // xorshift: each thread its own key order
        std::string key = "k";  // appended: g++ 12 warns falsely (-Wrestrict) on "k" + ...
        key += std::to_string(x % kKeys);
        auto slot = map.Lock(key);
        if (Tagged* v = slot.value()) {
          if (v->owner != key) mixed_up.fetch_add(1);
          if (x % 7 == 0) {
            slot.Erase();
            erased.fetch_add(1);
          } else {
            ++v->uses;
            slot.Touch();
          }
        } else {
          if (x % 5 == 0)
            erased.fetch_add(
                slot.EraseOldestWhile([](const Tagged& old) { return old.uses == 0; }, 2));
          slot.Insert(Tagged{key, 0});
          inserted.fetch_add(1);
        }
      }
    });
  }
  // A sweeper racing the writers, as the limiter's once-a-second sweep does.
  std::thread sweeper([&] {
    start.arrive_and_wait();
    while (!writers_done.load()) {
      erased.fetch_add(map.EraseIf([](const Tagged& v) { return v.uses > 3; }));
      EXPECT_LE(map.size(), map.capacity());
    }
  });
  for (auto& t : threads) t.join();
  writers_done.store(true);
  sweeper.join();

  EXPECT_EQ(mixed_up.load(), 0u);
  const std::size_t held = map.size();
  EXPECT_LE(held, map.capacity());
  EXPECT_GT(map.evictions(), 0u);
  EXPECT_EQ(inserted.load() - erased.load() - map.evictions(), held);
  // What is really there agrees with the counter: a full sweep finds exactly `held` entries.
  EXPECT_EQ(map.EraseIf([](const Tagged&) { return true; }), held);
  EXPECT_EQ(map.size(), 0u);
}

}  // namespace
}  // namespace core
