// Many threads on one Cache, for every policy: no torn values, no lost accounting, budget held.
// Written for TSan (build-cache-tsan): the assertions are about integrity, not timing.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "04_cache_service_mini/cache/cache.hpp"
#include "core/base/clock.hpp"

namespace cache {
namespace {

class CacheConcurrencyTest : public ::testing::TestWithParam<PolicyKind> {
 protected:
  CacheOptions Options(std::size_t max_bytes, std::size_t shards) const {
    CacheOptions options;
    options.max_bytes = max_bytes;
    options.shards = shards;
    options.policy.kind = GetParam();
    return options;
  }
};

// "prefix" + std::to_string(i) trips g++ 12's -Wrestrict false positive (GCC bug 105329).
std::string Key(std::string_view prefix, int i) {
  std::string key(prefix);
  key.append(std::to_string(i));
  return key;
}

// Every value starts with its key, so a reader can tell a torn or misplaced value.
std::string ValueFor(const std::string& key, int version) {
  return key + "=" + std::to_string(version) +
         std::string(static_cast<std::size_t>(version % 50), '.');
}

TEST_P(CacheConcurrencyTest, MixedOperationsKeepValuesIntactAndTheBudget) {
  core::FakeClock clock;
  Cache cache(Options(std::size_t{64} * 1024, 4), clock);  // small: constant eviction
  constexpr int kThreads = 4;
  constexpr int kOps = 4000;
  std::atomic<int> torn{0};

  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kOps; ++i) {
        const std::string key = Key("key", (i * 7 + t * 13) % 500);
        switch ((i + t) % 8) {
          case 0:
          case 1:
            cache.Store(StoreMode::kSet, key, ValueFor(key, i), 0, Expiry::Never());
            break;
          case 2:
            cache.Delete(key);
            break;
          case 3:
            cache.Touch(key, Expiry::After(std::chrono::seconds(i % 3)));
            break;
          case 4:
            cache.ExpireSome();
            break;
          default:
            if (ItemHandle h = cache.Get(key)) {
              const std::string_view v = h.value();
              if (v.substr(0, key.size() + 1) != key + "=") ++torn;
            }
        }
      }
    });
  }
  // Time moves while they work, so TTLs expire under load.
  for (int i = 0; i < 10; ++i) clock.Advance(std::chrono::milliseconds(300));
  for (auto& thread : threads) thread.join();

  EXPECT_EQ(torn.load(), 0);
  const CacheStats stats = cache.Stats();
  EXPECT_LE(stats.bytes, stats.limit_maxbytes);
  EXPECT_GT(stats.evictions + stats.reclaimed + stats.expired_active, 0u);
  // Accounting: once every TTL has passed and each key has been read (lazy expiry removes the
  // dead), the item count and charged bytes must equal exactly what is readable.
  clock.Advance(std::chrono::seconds(10));
  std::uint64_t present = 0;
  std::uint64_t bytes = 0;
  for (int k = 0; k < 500; ++k) {
    const std::string key = Key("key", k);
    if (ItemHandle h = cache.Get(key)) {
      ++present;
      bytes += ItemCharge(key.size(), h.value().size());
    }
  }
  const CacheStats after = cache.Stats();
  EXPECT_EQ(after.curr_items, present);
  EXPECT_EQ(after.bytes, bytes);
}

TEST_P(CacheConcurrencyTest, IncrementsFromManyThreadsAreNotLost) {
  core::FakeClock clock;
  CacheOptions options;
  options.policy.kind = GetParam();
  Cache cache(options, clock);
  cache.Store(StoreMode::kSet, "counter", "0", 0, Expiry::Never());
  constexpr int kThreads = 4;
  constexpr int kIncrements = 2000;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) cache.Incr("counter", 1);
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(cache.Get("counter").value(), std::to_string(kThreads * kIncrements));
}

TEST_P(CacheConcurrencyTest, HandlesStayValidWhileOtherThreadsEvict) {
  core::FakeClock clock;
  Cache cache(Options(std::size_t{16} * 1024, 1), clock);
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::thread writer([&] {
    for (int i = 0; i < 5000; ++i) {
      const std::string key = Key("w", i % 300);
      cache.Store(StoreMode::kSet, key, std::string(100, static_cast<char>('a' + i % 26)), 0,
                  Expiry::Never());
    }
    stop = true;
  });
  std::thread reader([&] {
    std::vector<ItemHandle> held;
    int i = 0;
    while (!stop.load()) {
      if (ItemHandle h = cache.Get(Key("w", i++ % 300))) held.push_back(std::move(h));
      if (held.size() > 64) held.erase(held.begin(), held.begin() + 32);
      for (const ItemHandle& h : held) {
        const std::string_view v = h.value();
        if (v.size() != 100 || v.find_first_not_of(v[0]) != std::string_view::npos) ++bad;
      }
    }
  });
  writer.join();
  reader.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST_P(CacheConcurrencyTest, ReservationsFromManyThreadsKeepStoredPlusInFlightWithinTheBudget) {
  core::FakeClock clock;
  Cache cache(Options(std::size_t{64} * 1024, 2), clock);
  constexpr int kThreads = 4;
  constexpr int kOps = 2000;
  std::atomic<int> over_budget{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<PendingItem> held;  // clients part-way through their values
      for (int i = 0; i < kOps; ++i) {
        const std::string key = Key("r", (i * 5 + t) % 200);
        Allocation a =
            cache.Allocate(StoreMode::kSet, key, 0, static_cast<std::size_t>(500 + (i % 7) * 900));
        if (a.status == StoreStatus::kStored) {
          if (i % 3 == 0) {
            held.push_back(std::move(a.item));
          } else {
            std::memset(a.item.mutable_value(), 'x', a.item.value_size());
            cache.Store(i % 5 == 0 ? StoreMode::kAppend : StoreMode::kSet, std::move(a.item),
                        Expiry::Never());
          }
        }
        if (held.size() > 6) held.erase(held.begin(), held.begin() + 3);  // some give up
        if (i % 50 == 0) {
          const CacheStats stats = cache.Stats();
          if (stats.bytes + stats.bytes_in_flight > stats.limit_maxbytes) ++over_budget;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(over_budget.load(), 0);
  const CacheStats stats = cache.Stats();
  EXPECT_EQ(stats.bytes_in_flight, 0u);  // every reservation came back
  EXPECT_LE(stats.bytes, stats.limit_maxbytes);
}

INSTANTIATE_TEST_SUITE_P(AllPolicies, CacheConcurrencyTest,
                         ::testing::Values(PolicyKind::kLru, PolicyKind::kS3Fifo,
                                           PolicyKind::kSieve, PolicyKind::kWTinyLfu),
                         [](const auto& param_info) {
                           return std::string(NameOf(param_info.param));
                         });

}  // namespace
}  // namespace cache
