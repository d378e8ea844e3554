// Locks the thread-safety check can see: core::Mutex and core::SharedMutex (std::mutex and
// std::shared_mutex underneath), the scoped holders MutexLock / ReaderLock / WriterLock, and
// CondVar.
//
// Why wrappers: clang's -Wthread-safety (thread_annotations.hpp) follows only lock types that carry
// its attributes, and libstdc++'s std::mutex and std::lock_guard carry none. These are the std
// types with the attributes on — same size, same cost, all inline — so a member marked
// SD_GUARDED_BY(mu_) is proven to be touched only under mu_ (scripts/thread_safety.sh).
//
// Waiting: CondVar::Wait takes the Mutex itself and the caller loops on its condition,
//
//   core::MutexLock lock(mu_);
//   while (jobs_.empty() && !closed_) ready_.Wait(mu_);
//
// rather than std's wait(lock, predicate): the condition is then ordinary code under the lock, and
// the analysis checks its reads too (a predicate lambda is analysed on its own, as if unlocked).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <shared_mutex>

#include "core/base/thread_annotations.hpp"

namespace core {

// An exclusive lock (std::mutex). Not recursive.
class SD_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() SD_ACQUIRE() { mu_.lock(); }
  void Unlock() SD_RELEASE() { mu_.unlock(); }
  bool TryLock() SD_TRY_ACQUIRE(true) { return mu_.try_lock(); }
  // Tells the analysis that the calling thread holds this lock; checks nothing at run time. For
  // code it cannot follow: a callback run by a function that holds the lock.
  void AssertHeld() const SD_ASSERT_CAPABILITY(this) {}

  // The standard's spelling (Lockable), for std::scoped_lock, std::unique_lock and
  // std::condition_variable_any. Those std types are not annotated, so what they guard is not
  // checked: prefer MutexLock and CondVar.
  void lock() SD_ACQUIRE() { mu_.lock(); }
  void unlock() SD_RELEASE() { mu_.unlock(); }
  bool try_lock() SD_TRY_ACQUIRE(true) { return mu_.try_lock(); }

 private:
  friend class CondVar;
  std::mutex mu_;
};

// Holds a Mutex from construction to the end of the scope (std::lock_guard, annotated). Unlock()
// and Lock() drop and retake it inside the scope (around a slow call, or to notify without it);
// the destructor releases it only if held.
class SD_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) SD_ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~MutexLock() SD_RELEASE() {
    if (held_) mu_.Unlock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  void Unlock() SD_RELEASE() {
    mu_.Unlock();
    held_ = false;
  }
  void Lock() SD_ACQUIRE() {
    mu_.Lock();
    held_ = true;
  }

 private:
  Mutex& mu_;
  bool held_ = true;
};

// A condition variable for core::Mutex (std::condition_variable underneath: no extra lock, unlike
// std::condition_variable_any). Every wait may also return spuriously: loop on the condition.
class CondVar {
 public:
  // Releases `mu`, blocks until notified, takes `mu` again.
  void Wait(Mutex& mu) SD_REQUIRES(mu) {
    Borrowed lock(mu);
    cv_.wait(lock.get());
  }
  // As Wait, but returns std::cv_status::timeout once `deadline` has passed.
  template <class Clock, class Duration>
  std::cv_status WaitUntil(Mutex& mu, const std::chrono::time_point<Clock, Duration>& deadline)
      SD_REQUIRES(mu) {
    Borrowed lock(mu);
    return cv_.wait_until(lock.get(), deadline);
  }
  void NotifyOne() noexcept { cv_.notify_one(); }
  void NotifyAll() noexcept { cv_.notify_all(); }

 private:
  // std::condition_variable waits on a std::unique_lock<std::mutex>: lend it the std::mutex the
  // caller already holds, and take it back (held again) afterwards — even if the wait throws, so
  // the caller's MutexLock still owns it.
  class Borrowed {
   public:
    explicit Borrowed(Mutex& mu) : lock_(mu.mu_, std::adopt_lock) {}
    ~Borrowed() { lock_.release(); }
    Borrowed(const Borrowed&) = delete;
    Borrowed& operator=(const Borrowed&) = delete;
    std::unique_lock<std::mutex>& get() noexcept { return lock_; }

   private:
    std::unique_lock<std::mutex> lock_;
  };

  std::condition_variable cv_;
};

// A reader/writer lock (std::shared_mutex): many readers, or one writer.
class SD_CAPABILITY("mutex") SharedMutex {
 public:
  SharedMutex() = default;
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;

  void Lock() SD_ACQUIRE() { mu_.lock(); }
  void Unlock() SD_RELEASE() { mu_.unlock(); }
  void LockShared() SD_ACQUIRE_SHARED() { mu_.lock_shared(); }
  void UnlockShared() SD_RELEASE_SHARED() { mu_.unlock_shared(); }

  // The standard's spelling (SharedLockable), as for Mutex; also what ReaderLock and WriterLock
  // call, so they work with any lock annotated the same way (04's SpinRwLock).
  void lock() SD_ACQUIRE() { mu_.lock(); }
  void unlock() SD_RELEASE() { mu_.unlock(); }
  void lock_shared() SD_ACQUIRE_SHARED() { mu_.lock_shared(); }
  void unlock_shared() SD_RELEASE_SHARED() { mu_.unlock_shared(); }

 private:
  std::shared_mutex mu_;
};

// Holds a shared lock (SharedMutex, or another annotated reader/writer lock) for the scope:
// `core::ReaderLock lock(mu_);` (std::shared_lock, annotated).
template <class M>
class SD_SCOPED_CAPABILITY ReaderLock {
 public:
  explicit ReaderLock(M& mu) SD_ACQUIRE_SHARED(mu) : mu_(mu) { mu_.lock_shared(); }
  ~ReaderLock() SD_RELEASE() { mu_.unlock_shared(); }
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;

 private:
  M& mu_;
};

// Holds the lock exclusively for the scope: `core::WriterLock lock(mu_);`.
template <class M>
class SD_SCOPED_CAPABILITY WriterLock {
 public:
  explicit WriterLock(M& mu) SD_ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
  ~WriterLock() SD_RELEASE() { mu_.unlock(); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  M& mu_;
};

}  // namespace core
