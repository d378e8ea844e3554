// SingleFlight with real threads, lined up by latches and Waiters() instead of sleeps.
#include "04_cache_service_mini/cache/single_flight.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <stdexcept>
#include <thread>
#include <vector>

namespace cache {
namespace {

// Blocks (without sleeping) until `n` callers wait on `key`.
template <class T>
void AwaitWaiters(const SingleFlight<T>& flight, std::string_view key, std::size_t n) {
  while (flight.Waiters(key) < n) std::this_thread::yield();
}

TEST(SingleFlightTest, SequentialCallsEachRunTheFunction) {
  SingleFlight<int> flight;
  int calls = 0;
  EXPECT_EQ(flight.Do("k", [&] { return ++calls; }).value, 1);
  EXPECT_EQ(flight.Do("k", [&] { return ++calls; }).value, 2);
  EXPECT_EQ(flight.InFlight(), 0u);
}

TEST(SingleFlightTest, ConcurrentCallersShareOneExecution) {
  SingleFlight<int> flight;
  std::atomic<int> calls{0};
  std::latch leader_started(1);
  std::latch release(1);
  constexpr int kFollowers = 8;

  std::thread leader([&] {
    const auto r = flight.Do("k", [&] {
      ++calls;
      leader_started.count_down();
      release.wait();
      return 42;
    });
    EXPECT_EQ(r.value, 42);
    EXPECT_FALSE(r.shared);
  });
  leader_started.wait();
  std::vector<std::thread> followers;
  followers.reserve(kFollowers);
  std::atomic<int> shared{0};
  for (int i = 0; i < kFollowers; ++i) {
    followers.emplace_back([&] {
      const auto r = flight.Do("k", [&] { return ++calls, -1; });
      EXPECT_EQ(r.value, 42);
      shared += r.shared ? 1 : 0;
    });
  }
  AwaitWaiters(flight, "k", kFollowers);
  release.count_down();
  leader.join();
  for (auto& t : followers) t.join();
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(shared.load(), kFollowers);
  EXPECT_EQ(flight.InFlight(), 0u);
}

TEST(SingleFlightTest, DifferentKeysDoNotWaitForEachOther) {
  SingleFlight<int> flight;
  std::latch a_started(1);
  std::latch release_a(1);
  std::thread a([&] {
    flight.Do("a", [&] {
      a_started.count_down();
      release_a.wait();
      return 1;
    });
  });
  a_started.wait();
  // "a" is still running; "b" must not block behind it.
  const auto b = flight.Do("b", [] { return 2; });
  EXPECT_EQ(b.value, 2);
  EXPECT_FALSE(b.shared);
  EXPECT_EQ(flight.InFlight(), 1u);
  release_a.count_down();
  a.join();
}

TEST(SingleFlightTest, ExceptionReachesEveryCaller) {
  SingleFlight<int> flight;
  std::latch leader_started(1);
  std::latch release(1);
  std::thread leader([&] {
    EXPECT_THROW(flight.Do("k",
                           [&]() -> int {
                             leader_started.count_down();
                             release.wait();
                             throw std::runtime_error("db down");
                           }),
                 std::runtime_error);
  });
  leader_started.wait();
  std::thread follower([&] { EXPECT_THROW(flight.Do("k", [] { return 0; }), std::runtime_error); });
  AwaitWaiters(flight, "k", 1);
  release.count_down();
  leader.join();
  follower.join();
  EXPECT_EQ(flight.Do("k", [] { return 7; }).value, 7) << "a failure is not remembered";
}

}  // namespace
}  // namespace cache
