// Test helper: run one coroutine to completion on an io_context and hand back its result, so a
// unit test can call an async API as if it were a function.
//
// Bounded rather than blocking: a task that stops making progress fails the test with an
// exception after an idle limit instead of hanging CTest until its timeout. Header-only (a
// template over the task's result); tests and benchmarks link sd_async_testing, production never.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <exception>
#include <optional>
#include <stdexcept>

#include "core/async/task.hpp"

namespace core::testing {

// Runs `task` on `ioc` until it completes and returns its result; an exception the task throws is
// rethrown here. Bounded: throws std::runtime_error if no handler runs for `idle_limit` (a hang
// fails the test, it does not block it; 0 = fail as soon as nothing is ready to run).
// Precondition: nothing else runs `ioc` meanwhile. `T` must be move-constructible.
template <class T>
T RunTask(boost::asio::io_context& ioc, core::Task<T> task,
          std::chrono::seconds idle_limit = std::chrono::seconds(30)) {
  std::optional<T> out;
  std::exception_ptr error;
  boost::asio::co_spawn(ioc, std::move(task), [&](std::exception_ptr e, T value) {
    if (e) {
      error = e;
    } else {
      out.emplace(std::move(value));
    }
  });
  ioc.restart();
  while (!out && !error) {
    if (ioc.run_one_for(idle_limit) == 0) throw std::runtime_error("RunTask: nothing happened");
  }
  if (error) std::rethrow_exception(error);
  return std::move(*out);
}

}  // namespace core::testing
