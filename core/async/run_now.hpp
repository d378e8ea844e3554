// Start-up work that is asynchronous — a schema migration through the PostgreSQL pool — done
// before the server runs, where there is nothing else to do but wait for it. Header-only (a
// template over the task's result).
//
//   core::Result<void> migrated = core::RunNow(store->Migrate());
//   if (!migrated) return migrated.error();
//
// Unbounded on purpose: the task carries its own deadlines (a pool's connect and statement
// timeouts). Tests use core::testing::RunTask (async/testing/run_task.hpp), which fails a hang.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <utility>

#include "core/async/task.hpp"

namespace core {

// Runs `task` to completion on a private io_context and returns its result (an exception it
// throws is rethrown here). Blocks the calling thread; never call it from a running io_context.
template <class T>
T RunNow(Task<T> task) {
  net::io_context ioc;
  auto future = net::co_spawn(ioc, std::move(task), net::use_future);
  ioc.run();
  return future.get();
}

}  // namespace core
