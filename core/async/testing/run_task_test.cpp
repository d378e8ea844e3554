// RunTask: a result comes back, an exception comes back as one, and a task that stalls fails
// the call instead of hanging it.
#include "core/async/testing/run_task.hpp"

#include <gtest/gtest.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <memory>
#include <string>

namespace core::testing {
namespace {

Task<int> Answer() { co_return 42; }

Task<std::string> AfterTwoHops() {
  auto executor = co_await boost::asio::this_coro::executor;
  boost::asio::steady_timer timer(executor, std::chrono::steady_clock::time_point::min());
  co_await timer.async_wait(kUseTuple);  // already expired: completes on the next turn
  co_await timer.async_wait(kUseTuple);
  co_return "done";
}

Task<int> Throws() {
  throw std::logic_error("boom");
  co_return 0;
}

// Waits on a timer that nobody will ever fire within the test.
Task<int> Stalls() {
  auto executor = co_await boost::asio::this_coro::executor;
  boost::asio::steady_timer timer(executor, std::chrono::hours(1));
  co_await timer.async_wait(kUseTuple);
  co_return 1;
}

Task<std::unique_ptr<int>> MoveOnly() { co_return std::make_unique<int>(7); }

TEST(RunTaskTest, ReturnsTheTasksResult) {
  boost::asio::io_context ioc;
  EXPECT_EQ(RunTask(ioc, Answer()), 42);
  EXPECT_EQ(RunTask(ioc, AfterTwoHops()), "done");
}

TEST(RunTaskTest, RunsTheSameContextAgainAfterATaskFinished) {
  boost::asio::io_context ioc;
  EXPECT_EQ(RunTask(ioc, Answer()), 42);
  EXPECT_EQ(RunTask(ioc, Answer()), 42);
}

TEST(RunTaskTest, ResultsMayBeMoveOnly) {
  boost::asio::io_context ioc;
  auto p = RunTask(ioc, MoveOnly());
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(*p, 7);
}

TEST(RunTaskTest, RethrowsWhatTheTaskThrew) {
  boost::asio::io_context ioc;
  EXPECT_THROW(RunTask(ioc, Throws()), std::logic_error);
}

TEST(RunTaskTest, AStalledTaskFailsInsteadOfHanging) {
  boost::asio::io_context ioc;
  EXPECT_THROW(RunTask(ioc, Stalls(), std::chrono::seconds(0)), std::runtime_error);
}

}  // namespace
}  // namespace core::testing
