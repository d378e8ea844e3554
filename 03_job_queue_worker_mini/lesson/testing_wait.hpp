// Test helper: wait for a condition another thread will make true, by polling with yields and a
// generous bound, instead of sleeping for a guessed time. A test that times out here fails.
#pragma once

#include <chrono>
#include <thread>

namespace lesson::testing {

// True as soon as `done()` is; false if it is still false after `bound`.
template <class Pred>
bool WaitUntil(Pred done, std::chrono::seconds bound = std::chrono::seconds(10)) {
  const auto until = std::chrono::steady_clock::now() + bound;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::yield();
  }
  return true;
}

}  // namespace lesson::testing
