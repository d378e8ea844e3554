// Test helper: one body run on several threads at once, all joined before it returns — the
// scaffolding of the concurrency tests (run under TSan in CI), so that a test states only what
// each thread does and which invariant must hold afterwards. Header-only; tests link
// sd_base_testing, production code never does.
//
//   std::atomic<int> allowed{0};
//   core::testing::RunThreads(4, [&](int t) { ... store.Decide(...) ... });
//   EXPECT_EQ(allowed.load(), 100);
#pragma once

#include <cstddef>
#include <thread>
#include <vector>

namespace core::testing {

// Calls fn(t) on `threads` new threads, t = 0 .. threads-1, and joins them all. Each thread gets
// its own copy of `fn` (capture shared state by reference; it must outlive the call).
template <class Fn>
void RunThreads(int threads, Fn fn) {
  std::vector<std::thread> running;
  running.reserve(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) running.emplace_back(fn, t);
  for (auto& thread : running) thread.join();
}

}  // namespace core::testing
