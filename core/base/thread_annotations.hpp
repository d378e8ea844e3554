// Lock discipline checked at compile time: clang's -Wthread-safety attributes behind SD_ macros.
//
// A member marked SD_GUARDED_BY(mu_) may only be touched while mu_ is held, and a function marked
// SD_REQUIRES(mu_) only called with it held; clang proves both on every path of every function,
// so "forgot the lock" and "called the *Locked helper without it" are build errors
// (scripts/thread_safety.sh, in CI), not races that TSan finds only when a test happens to run
// them concurrently. The attributes need a lock type that is annotated too: core::Mutex and
// friends (mutex.hpp) — std::mutex and std::lock_guard are invisible to the analysis.
// Under g++ every macro expands to nothing. The names follow clang's ThreadSafetyAnalysis docs
// (mutex.h) and Abseil's thread_annotations.h; the SD_ prefix keeps them out of others' way.
//
//   class Counter {
//    public:
//     void Add(int n) {
//       core::MutexLock lock(mu_);
//       AddLocked(n);
//     }
//    private:
//     void AddLocked(int n) SD_REQUIRES(mu_) { total_ += n; }
//     core::Mutex mu_;
//     int total_ SD_GUARDED_BY(mu_) = 0;
//   };
#pragma once

#if defined(__clang__)
#define SD_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define SD_THREAD_ANNOTATION(x)
#endif

// --- on types ---
// The class is a lock ("mutex" names it in diagnostics).
#define SD_CAPABILITY(name) SD_THREAD_ANNOTATION(capability(name))
// The class holds a lock for its lifetime (RAII: MutexLock, ReaderLock, WriterLock).
#define SD_SCOPED_CAPABILITY SD_THREAD_ANNOTATION(scoped_lockable)

// --- on data members ---
// Read with `mu` held (shared or exclusive), written with it held exclusively.
#define SD_GUARDED_BY(mu) SD_THREAD_ANNOTATION(guarded_by(mu))
// The same for what the pointer (or smart pointer) points to; the pointer itself is unguarded.
#define SD_PT_GUARDED_BY(mu) SD_THREAD_ANNOTATION(pt_guarded_by(mu))
// Lock order: this lock is taken before / after the ones named (checked with -Wthread-safety-beta).
#define SD_ACQUIRED_BEFORE(...) SD_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define SD_ACQUIRED_AFTER(...) SD_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))

// --- on functions ---
// The caller must hold the locks (exclusively / at least shared) and still holds them after.
#define SD_REQUIRES(...) SD_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define SD_REQUIRES_SHARED(...) SD_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
// The caller must not hold the locks: the function takes them itself (catches self-deadlock).
#define SD_EXCLUDES(...) SD_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
// The function takes / drops the locks (no argument on a lock's own methods: `this`).
#define SD_ACQUIRE(...) SD_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define SD_ACQUIRE_SHARED(...) SD_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define SD_RELEASE(...) SD_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define SD_RELEASE_SHARED(...) SD_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
// Drops the locks in whichever mode they are held (a scoped lock's destructor).
#define SD_RELEASE_GENERIC(...) SD_THREAD_ANNOTATION(release_generic_capability(__VA_ARGS__))
// Takes the locks when it returns `result` (true for TryLock).
#define SD_TRY_ACQUIRE(...) SD_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define SD_TRY_ACQUIRE_SHARED(...) SD_THREAD_ANNOTATION(try_acquire_shared_capability(__VA_ARGS__))
// From here on the analysis assumes the lock is held (checks nothing at run time): for code the
// analysis cannot follow, such as a callback that a function holding the lock runs.
#define SD_ASSERT_CAPABILITY(x) SD_THREAD_ANNOTATION(assert_capability(x))
#define SD_ASSERT_SHARED_CAPABILITY(x) SD_THREAD_ANNOTATION(assert_shared_capability(x))
// The function returns a reference to this lock (an accessor for a private mutex).
#define SD_RETURN_CAPABILITY(x) SD_THREAD_ANNOTATION(lock_returned(x))
// Turns the analysis off for one function: the escape hatch, with a comment saying why it is safe.
#define SD_NO_THREAD_SAFETY_ANALYSIS SD_THREAD_ANNOTATION(no_thread_safety_analysis)
