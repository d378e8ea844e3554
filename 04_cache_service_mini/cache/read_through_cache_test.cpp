// ReadThroughCache: hits, loads, negative caching, errors, and the stampede (threads lined up by
// latches and Waiting(), no sleeps).
#include "04_cache_service_mini/cache/read_through_cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <thread>
#include <vector>

#include "core/base/clock.hpp"

namespace cache {
namespace {

using namespace std::chrono_literals;

class ReadThroughCacheTest : public ::testing::Test {
 protected:
  ReadThroughCacheTest() : read_through_(cache_, clock_, Options()) {}

  static ReadThroughOptions Options() {
    ReadThroughOptions options;
    options.positive_ttl = Expiry::After(60s);
    options.negative_ttl = 5s;
    return options;
  }
  Loader CountingLoader(LoadResult answer) {
    return [this, answer = std::move(answer)](std::string_view) {
      ++loads_;
      return answer;
    };
  }

  core::FakeClock clock_;
  Cache cache_{CacheOptions{}, clock_};
  ReadThroughCache read_through_;
  std::atomic<int> loads_{0};
};

TEST_F(ReadThroughCacheTest, HitDoesNotCallTheLoader) {
  cache_.Store(StoreMode::kSet, "k", "cached", 3, Expiry::Never());
  const Lookup lookup = read_through_.Get("k", CountingLoader(LoadResult::Found("loaded")));
  EXPECT_EQ(lookup.source, LoadSource::kCache);
  EXPECT_EQ(lookup.result.value, "cached");
  EXPECT_EQ(lookup.result.flags, 3u);
  EXPECT_EQ(loads_.load(), 0);
}

TEST_F(ReadThroughCacheTest, MissLoadsOnceAndCachesWithThePositiveTtl) {
  const Loader loader = CountingLoader(LoadResult::Found("v", 9));
  EXPECT_EQ(read_through_.Get("k", loader).source, LoadSource::kLoader);
  EXPECT_EQ(read_through_.Get("k", loader).source, LoadSource::kCache);
  EXPECT_EQ(loads_.load(), 1);
  EXPECT_EQ(cache_.Get("k").flags(), 9u);
  clock_.Advance(60s);
  EXPECT_EQ(read_through_.Get("k", loader).source, LoadSource::kLoader);
  EXPECT_EQ(loads_.load(), 2);
}

TEST_F(ReadThroughCacheTest, NotFoundIsCachedForTheNegativeTtl) {
  const Loader loader = CountingLoader(LoadResult::NotFound());
  EXPECT_EQ(read_through_.Get("k", loader).result.status, LoadStatus::kNotFound);
  const Lookup again = read_through_.Get("k", loader);
  EXPECT_EQ(again.source, LoadSource::kNegativeCache);
  EXPECT_EQ(again.result.status, LoadStatus::kNotFound);
  EXPECT_EQ(loads_.load(), 1);
  EXPECT_FALSE(cache_.Get("k")) << "negative entries stay out of the main cache";
  clock_.Advance(5s);
  read_through_.Get("k", loader);
  EXPECT_EQ(loads_.load(), 2);
  EXPECT_EQ(read_through_.Stats().negative_hits, 1u);
}

TEST_F(ReadThroughCacheTest, ForgetMissingDropsTheNegativeEntry) {
  read_through_.Get("k", CountingLoader(LoadResult::NotFound()));
  read_through_.ForgetMissing("k");
  read_through_.Get("k", CountingLoader(LoadResult::NotFound()));
  EXPECT_EQ(loads_.load(), 2);
}

TEST_F(ReadThroughCacheTest, ErrorsAreReturnedButNotCached) {
  const Loader loader = CountingLoader(LoadResult::Error("timeout"));
  const Lookup lookup = read_through_.Get("k", loader);
  EXPECT_EQ(lookup.result.status, LoadStatus::kError);
  EXPECT_EQ(lookup.result.error, "timeout");
  read_through_.Get("k", loader);
  EXPECT_EQ(loads_.load(), 2);
  EXPECT_EQ(read_through_.Stats().load_errors, 2u);
}

TEST_F(ReadThroughCacheTest, StampedeOnOneKeyRunsTheLoaderOnce) {
  constexpr int kFollowers = 16;
  std::latch leader_loading(1);
  std::latch release(1);
  const Loader slow_loader = [&](std::string_view) {
    ++loads_;
    leader_loading.count_down();
    release.wait();
    return LoadResult::Found("from-db");
  };
  std::thread leader(
      [&] { EXPECT_EQ(read_through_.Get("hot", slow_loader).source, LoadSource::kLoader); });
  leader_loading.wait();
  std::vector<std::thread> followers;
  followers.reserve(kFollowers);
  std::atomic<int> coalesced{0};
  for (int i = 0; i < kFollowers; ++i) {
    followers.emplace_back([&] {
      const Lookup lookup = read_through_.Get("hot", slow_loader);
      EXPECT_EQ(lookup.result.value, "from-db");
      coalesced += lookup.source == LoadSource::kCoalesced ? 1 : 0;
    });
  }
  while (read_through_.Waiting("hot") < kFollowers) std::this_thread::yield();
  release.count_down();
  leader.join();
  for (auto& t : followers) t.join();
  EXPECT_EQ(loads_.load(), 1);
  EXPECT_EQ(coalesced.load(), kFollowers);
  EXPECT_EQ(read_through_.Stats().coalesced, static_cast<std::uint64_t>(kFollowers));
}

}  // namespace
}  // namespace cache
