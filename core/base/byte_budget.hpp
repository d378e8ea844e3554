// A server-wide budget of bytes held on behalf of clients — request bodies being received, values
// of a memcached `set` in flight — so that many slow uploads together cannot pin unbounded memory
// (1,000 connections each sending all but the last byte of a 1 MiB body held 1 GB before this).
// Each connection's limit bounds one client; this bounds all of them.
//
// A Lease is what one request holds: it grows as its bytes arrive and gives everything back when
// destroyed. Acquisition is an atomic add, in granules, so a body arriving 16 KiB at a time costs
// one atomic operation per read, not per byte.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <utility>

namespace core {

class ByteBudget {
 public:
  // `limit` bytes may be held at once; 0 means no limit.
  explicit ByteBudget(std::size_t limit) : limit_(limit) {}
  ByteBudget(const ByteBudget&) = delete;
  ByteBudget& operator=(const ByteBudget&) = delete;

  // Takes `n` bytes if they fit; false (and counted as a refusal) otherwise. Thread-safe.
  bool TryAcquire(std::size_t n) noexcept {
    std::size_t used = used_.load(std::memory_order_relaxed);
    do {
      if (limit_ != 0 && (n > limit_ || used > limit_ - n)) {
        refusals_.fetch_add(1, std::memory_order_relaxed);
        return false;
      }
    } while (!used_.compare_exchange_weak(used, used + n, std::memory_order_relaxed));
    return true;
  }
  void Release(std::size_t n) noexcept { used_.fetch_sub(n, std::memory_order_relaxed); }

  std::size_t limit() const noexcept { return limit_; }
  std::size_t used() const noexcept { return used_.load(std::memory_order_relaxed); }
  std::uint64_t refusals() const noexcept { return refusals_.load(std::memory_order_relaxed); }

  // What one request holds; move-only; gives its bytes back when destroyed or Reset.
  class Lease {
   public:
    Lease() = default;
    explicit Lease(ByteBudget* budget) : budget_(budget) {}
    Lease(Lease&& other) noexcept
        : budget_(std::exchange(other.budget_, nullptr)), held_(std::exchange(other.held_, 0)) {}
    Lease& operator=(Lease&& other) noexcept {
      if (this != &other) {
        Reset();
        budget_ = std::exchange(other.budget_, nullptr);
        held_ = std::exchange(other.held_, 0);
      }
      return *this;
    }
    ~Lease() { Reset(); }

    // Makes the lease cover at least `total` bytes, acquiring in granules of kGranule. False when
    // the budget cannot cover it (what was held stays held). Always true without a budget.
    bool Cover(std::size_t total) noexcept {
      if (budget_ == nullptr || total <= held_) return true;
      const std::size_t want = (total + kGranule - 1) / kGranule * kGranule;
      if (!budget_->TryAcquire(want - held_)) return false;
      held_ = want;
      return true;
    }
    void Reset() noexcept {
      if (budget_ != nullptr && held_ != 0) budget_->Release(held_);
      held_ = 0;
    }
    std::size_t held() const noexcept { return held_; }

   private:
    static constexpr std::size_t kGranule = std::size_t{16} * 1024;
    ByteBudget* budget_ = nullptr;
    std::size_t held_ = 0;
  };

 private:
  const std::size_t limit_;
  std::atomic<std::size_t> used_{0};
  std::atomic<std::uint64_t> refusals_{0};
};

}  // namespace core
