// Single-flight: concurrent callers asking for the same key share one execution of the work
// (Go's golang.org/x/sync/singleflight). The cure for a cache stampede: when a hot key expires,
// a thousand requests miss at once, and without this they would all hit the database at once.
//
// Synchronous: followers block on a condition variable until the leader's function returns, then
// all get (a copy of) its result, or its exception rethrown. Nothing is remembered afterwards: the
// next call after completion runs the function again (caching the result is the caller's job).
// One mutex guards the table of calls in flight; it is taken only on misses, never while the
// function runs.
#pragma once

#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "core/base/mutex.hpp"

namespace cache {

// T must be copy-constructible. Thread-safe. Must outlive every Do call.
template <class T>
class SingleFlight {
 public:
  struct Result {
    T value;
    bool shared;  // true: this caller waited for another caller's execution
  };

  // Runs fn() unless a call for `key` is already running, in which case it waits for that call
  // and returns its result. If fn throws, every caller of that execution gets the exception.
  // fn must not call Do with the same key (it would wait for itself).
  template <class Fn>
  Result Do(std::string_view key, Fn&& fn) {
    core::MutexLock lock(mu_);
    if (auto it = calls_.find(std::string(key)); it != calls_.end()) {
      std::shared_ptr<Call> call = it->second;
      ++call->waiters;
      while (!call->done) call->done_cv.Wait(mu_);
      --call->waiters;
      if (call->error) std::rethrow_exception(call->error);
      return Result{*call->value, true};
    }
    auto call = std::make_shared<Call>();
    const std::string owned_key(key);
    calls_.emplace(owned_key, call);
    lock.Unlock();

    std::optional<T> value;
    std::exception_ptr error;
    try {
      value.emplace(fn());
    } catch (...) {
      error = std::current_exception();
    }

    lock.Lock();
    if (error) {
      call->error = error;
    } else {
      call->value = value;  // the followers' copy
    }
    call->done = true;
    calls_.erase(owned_key);
    lock.Unlock();
    call->done_cv.NotifyAll();
    if (error) std::rethrow_exception(error);
    return Result{std::move(*value), false};
  }

  // Callers currently blocked waiting for `key`'s execution (tests line threads up with it
  // instead of sleeping; a server can export it as a gauge).
  std::size_t Waiters(std::string_view key) const {
    core::MutexLock lock(mu_);
    auto it = calls_.find(std::string(key));
    return it == calls_.end() ? 0 : it->second->waiters;
  }
  // Keys with an execution running.
  std::size_t InFlight() const {
    core::MutexLock lock(mu_);
    return calls_.size();
  }

 private:
  // Guarded by mu_ too (the analysis cannot name another object's lock here).
  struct Call {
    core::CondVar done_cv;
    bool done = false;
    std::size_t waiters = 0;
    std::optional<T> value;
    std::exception_ptr error;
  };

  mutable core::Mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<Call>> calls_ SD_GUARDED_BY(mu_);
};

}  // namespace cache
