// Whether the store can do its job right now, for /readyz: set by a periodic probe
// (LinkStore::Ping, a real write on SQLite) and by any operation that found the store unavailable,
// so readiness turns false within one probe interval of a database going away, a disk filling up or
// a file turning read-only — and true again once a probe succeeds.
#pragma once

#include <atomic>
#include <string>

#include "core/base/error.hpp"
#include "core/base/mutex.hpp"

namespace shortener {

class StoreHealth {
 public:
  // Records an outcome: success marks the store up; kUnavailable or kTimeout marks it down with
  // the error's detail; other errors (a conflict, a bad request) say nothing about the store.
  void Report(const core::Result<void>& outcome);
  void Report(const core::Error& error) { Report(core::Result<void>(error)); }

  // OK while up, else kUnavailable with the last failure's detail. Thread-safe.
  core::Result<void> Check() const;
  bool up() const noexcept { return up_.load(std::memory_order_acquire); }

 private:
  std::atomic<bool> up_{true};
  mutable core::Mutex mu_;
  std::string why_ SD_GUARDED_BY(mu_);
};

}  // namespace shortener
