// A reader/writer lock for critical sections of a few hundred nanoseconds: the cache shard's.
//
// Why not std::shared_mutex: glibc's pthread_rwlock puts a waiter to sleep in the kernel at once.
// With hits under the shared lock and 10 % sets under the exclusive one on a single shard, two
// threads then hand the lock back and forth through futex wake-ups (microseconds each) for
// sections that take ~100 ns, and throughput fell from 5 M to 0.4 M ops/s (see the README). Here
// a waiter spins briefly (with the CPU's pause hint) and then yields its time slice, so a holder
// that was preempted still gets to run when threads outnumber cores.
//
// One atomic word: bit 31 = a writer holds or is acquiring the lock, bits 0..30 = readers inside.
// Writer-preferring: once a writer has set its bit no new reader enters, so a stream of reads
// cannot starve the 10 % of writes. Meets the SharedMutex requirements (std::unique_lock,
// std::shared_lock) and is annotated for the thread-safety check: hold it with core::ReaderLock and
// core::WriterLock (core/base/mutex.hpp) so that what it guards is checked. Not recursive; not
// fair among writers.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

#include "core/base/thread_annotations.hpp"

namespace cache {

class SD_CAPABILITY("mutex") SpinRwLock {
 public:
  void lock() noexcept SD_ACQUIRE() {
    for (Backoff backoff;; backoff.Wait()) {
      std::uint32_t s = state_.load(std::memory_order_relaxed);
      if ((s & kWriter) == 0 &&
          state_.compare_exchange_weak(s, s | kWriter, std::memory_order_acquire)) {
        break;
      }
    }
    // The bit keeps new readers out; wait for the ones inside to leave.
    for (Backoff backoff; (state_.load(std::memory_order_acquire) & kReaders) != 0;) {
      backoff.Wait();
    }
  }
  bool try_lock() noexcept SD_TRY_ACQUIRE(true) {
    std::uint32_t expected = 0;
    return state_.compare_exchange_strong(expected, kWriter, std::memory_order_acquire);
  }
  void unlock() noexcept SD_RELEASE() { state_.fetch_and(~kWriter, std::memory_order_release); }

  void lock_shared() noexcept SD_ACQUIRE_SHARED() {
    for (Backoff backoff; !try_lock_shared(); backoff.Wait()) {
    }
  }
  // Optimistic: one fetch_add, undone if a writer holds or wants the lock. Readers never fail
  // because of each other (a compare-exchange would, each time another reader got in first).
  bool try_lock_shared() noexcept SD_TRY_ACQUIRE_SHARED(true) {
    if ((state_.fetch_add(1, std::memory_order_acquire) & kWriter) == 0) return true;
    state_.fetch_sub(1, std::memory_order_relaxed);  // never entered: nothing to publish
    return false;
  }
  void unlock_shared() noexcept SD_RELEASE_SHARED() {
    state_.fetch_sub(1, std::memory_order_release);
  }

 private:
  static constexpr std::uint32_t kWriter = 1u << 31;
  static constexpr std::uint32_t kReaders = kWriter - 1;

  // Spin with the pause hint, doubling up to ~64 pauses, then yield on every further try.
  class Backoff {
   public:
    void Wait() noexcept {
      if (spins_ >= kMaxSpins) {
        std::this_thread::yield();
        return;
      }
      for (int i = 0; i < spins_; ++i) Pause();
      spins_ *= 2;
    }

   private:
    static constexpr int kMaxSpins = 64;
    static void Pause() noexcept {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#elif defined(__aarch64__)
      asm volatile("yield");
#endif
    }
    int spins_ = 1;
  };

  std::atomic<std::uint32_t> state_{0};
};

}  // namespace cache
