// FrequencySketch: counts, saturation, aging, the error bound, and the optional doorkeeper.
#include "04_cache_service_mini/cache/frequency_sketch.hpp"

#include <gtest/gtest.h>

#include <string>

#include "04_cache_service_mini/cache/item.hpp"

namespace cache {
namespace {

std::uint64_t H(std::string_view prefix, int i) {
  std::string key(prefix);
  key.append(std::to_string(i));
  return HashKey(key);
}

TEST(FrequencySketchTest, UninitialisedSketchCountsNothing) {
  FrequencySketch sketch;
  sketch.Increment(H("a", 0));
  EXPECT_FALSE(sketch.initialized());
  EXPECT_EQ(sketch.Frequency(H("a", 0)), 0);
}

TEST(FrequencySketchTest, CapacityRoundsUpToAPowerOfTwoAndOnlyGrows) {
  FrequencySketch sketch;
  sketch.EnsureCapacity(1000);
  EXPECT_EQ(sketch.table_words(), 1024u);
  EXPECT_EQ(sketch.sample_size(), 10'000u);
  sketch.EnsureCapacity(500);
  EXPECT_EQ(sketch.table_words(), 1024u);
  EXPECT_EQ(sketch.sample_size(), 10'000u);
  sketch.EnsureCapacity(1025);
  EXPECT_EQ(sketch.table_words(), 2048u);
  EXPECT_EQ(sketch.sample_size(), 10'250u);
}

TEST(FrequencySketchTest, TinyCapacityStillGetsOneBlock) {
  FrequencySketch sketch;
  sketch.EnsureCapacity(1);
  EXPECT_EQ(sketch.table_words(), 8u);
  EXPECT_EQ(sketch.sample_size(), 10u);
}

TEST(FrequencySketchTest, GrowingForgetsCounts) {
  FrequencySketch sketch;
  sketch.EnsureCapacity(8);
  sketch.Increment(H("a", 0));
  sketch.EnsureCapacity(1000);
  EXPECT_EQ(sketch.Frequency(H("a", 0)), 0);
}

TEST(FrequencySketchTest, EachIncrementRaisesTheEstimateByOne) {
  FrequencySketch sketch;
  sketch.EnsureCapacity(1024);
  for (int i = 1; i <= 5; ++i) {
    sketch.Increment(H("a", 0));
    EXPECT_EQ(sketch.Frequency(H("a", 0)), i);
  }
  EXPECT_EQ(sketch.Frequency(H("b", 0)), 0);
}

TEST(FrequencySketchTest, CountersSaturateAtFifteen) {
  FrequencySketch sketch;
  sketch.EnsureCapacity(1024);
  for (int i = 0; i < 40; ++i) sketch.Increment(H("a", 0));
  EXPECT_EQ(sketch.Frequency(H("a", 0)), FrequencySketch::kMaxCount);
  EXPECT_EQ(sketch.additions(), 15u) << "increments past 15 changed nothing, so count nothing";
}

TEST(FrequencySketchTest, AgingHalvesEveryCounter) {
  FrequencySketch sketch;
  sketch.EnsureCapacity(1024);
  for (int i = 0; i < 15; ++i) sketch.Increment(H("a", 0));
  for (int i = 0; i < 3; ++i) sketch.Increment(H("b", 0));
  sketch.Increment(H("c", 0));
  sketch.Age();
  EXPECT_EQ(sketch.Frequency(H("a", 0)), 7);
  EXPECT_EQ(sketch.Frequency(H("b", 0)), 1);
  EXPECT_EQ(sketch.Frequency(H("c", 0)), 0);
  EXPECT_EQ(sketch.agings(), 1u);
  // 19 additions; 3 keys x 4 rows left 12 odd counters, so 19 - 12/4 = 16, halved.
  EXPECT_EQ(sketch.additions(), 8u);
}

TEST(FrequencySketchTest, AgesAfterSampleSizeAdditions) {
  FrequencySketch sketch;
  sketch.EnsureCapacity(8);  // sample size 80
  for (int i = 0; i < 15; ++i) sketch.Increment(H("hot", 0));
  std::size_t additions_before_aging = 0;
  for (int i = 0; i < 1000 && sketch.agings() == 0; ++i) {
    additions_before_aging = sketch.additions();
    sketch.Increment(H("k", i));
  }
  ASSERT_EQ(sketch.agings(), 1u);
  EXPECT_EQ(additions_before_aging, sketch.sample_size() - 1) << "the 80th addition ages";
  EXPECT_EQ(sketch.Frequency(H("hot", 0)), 7) << "15 halved; collisions cannot pass 15";
  EXPECT_LE(sketch.additions(), sketch.sample_size() / 2);
}

TEST(FrequencySketchTest, EstimatesNeverUndercount) {
  FrequencySketch sketch;
  sketch.EnsureCapacity(1000);
  // Twice as many keys as the sketch is sized for, 6,000 additions: below the sample of 10,000.
  for (int i = 0; i < 2000; ++i) {
    for (int n = 0; n <= i % 5; ++n) sketch.Increment(H("k", i));
  }
  ASSERT_EQ(sketch.agings(), 0u);
  for (int i = 0; i < 2000; ++i) EXPECT_GE(sketch.Frequency(H("k", i)), i % 5 + 1) << i;
}

TEST(FrequencySketchTest, CollisionsInflateFewEstimatesAtTheSizedLoad) {
  FrequencySketch sketch;
  sketch.EnsureCapacity(1000);
  for (int i = 0; i < 1000; ++i) sketch.Increment(H("seen", i));
  int exact = 0;
  int unseen_zero = 0;
  for (int i = 0; i < 1000; ++i) {
    exact += sketch.Frequency(H("seen", i)) == 1 ? 1 : 0;
    unseen_zero += sketch.Frequency(H("unseen", i)) == 0 ? 1 : 0;
  }
  // A wrong estimate needs all four of a key's counters shared: ~0.2% of keys at this load.
  EXPECT_GE(exact, 990);
  EXPECT_GE(unseen_zero, 990);
}

TEST(FrequencySketchTest, DoorkeeperTakesTheFirstAccessOnly) {
  FrequencySketch sketch(/*doorkeeper=*/true);
  sketch.EnsureCapacity(1024);
  ASSERT_TRUE(sketch.has_doorkeeper());
  sketch.Increment(H("a", 0));
  EXPECT_EQ(sketch.Frequency(H("a", 0)), 1);
  EXPECT_EQ(sketch.additions(), 0u) << "a one-time key leaves the counters alone";
  sketch.Increment(H("a", 0));
  EXPECT_EQ(sketch.Frequency(H("a", 0)), 2);
  EXPECT_EQ(sketch.additions(), 1u);
}

TEST(FrequencySketchTest, AgingClearsTheDoorkeeper) {
  FrequencySketch sketch(/*doorkeeper=*/true);
  sketch.EnsureCapacity(1024);
  for (int i = 0; i < 3; ++i) sketch.Increment(H("a", 0));  // doorkeeper + 2 in the counters
  sketch.Increment(H("b", 0));                              // doorkeeper only
  sketch.Age();
  EXPECT_EQ(sketch.Frequency(H("a", 0)), 1);
  EXPECT_EQ(sketch.Frequency(H("b", 0)), 0);
}

}  // namespace
}  // namespace cache
