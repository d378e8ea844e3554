#include "core/base/ticker.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace core {
namespace {

TEST(TickerTest, RunsTheTaskRepeatedly) {
  std::atomic<int> runs{0};
  std::promise<void> three;
  Ticker ticker(std::chrono::milliseconds(1), [&] {
    if (++runs == 3) three.set_value();
  });
  EXPECT_EQ(three.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  ticker.Stop();
  EXPECT_GE(runs.load(), 3);
}

TEST(TickerTest, StopReturnsPromptlyEvenWithALongInterval) {
  // If Stop waited for the interval this test would hang until CTest's timeout fails it.
  std::atomic<int> runs{0};
  {
    Ticker ticker(std::chrono::hours(1), [&] { ++runs; });
  }
  EXPECT_EQ(runs.load(), 0);
}

TEST(TickerTest, StopIsIdempotent) {
  Ticker ticker(std::chrono::milliseconds(5), [] {});
  ticker.Stop();
  ticker.Stop();
  SUCCEED();
}

}  // namespace
}  // namespace core
