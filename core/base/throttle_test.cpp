#include "core/base/throttle.hpp"

#include <gtest/gtest.h>

namespace core {
namespace {

using namespace std::chrono_literals;

TEST(ThrottleTest, ReportsOncePerIntervalWithTheSuppressedCount) {
  Throttle throttle(1s);
  const auto t0 = std::chrono::steady_clock::time_point(100s);
  EXPECT_EQ(throttle.Allow(t0), 1u);
  EXPECT_EQ(throttle.Allow(t0 + 1ms), 0u);
  EXPECT_EQ(throttle.Allow(t0 + 999ms), 0u);
  EXPECT_EQ(throttle.Allow(t0 + 1s), 3u);  // itself and the two kept quiet
  EXPECT_EQ(throttle.Allow(t0 + 1500ms), 0u);
  EXPECT_EQ(throttle.Allow(t0 + 5s), 2u);
}

}  // namespace
}  // namespace core
