#include "06_reliability_patterns_mini/policy/bulkhead.hpp"

namespace reliability {

Bulkhead::Admission Bulkhead::TryAcquire(Waiter* waiter) {
  core::MutexLock lock(mu_);
  if (in_use_ < options_.max_concurrent && head_ == nullptr) {
    ++in_use_;
    ++stats_.acquired;
    return Admission::kAcquired;
  }
  if (waiter == nullptr || queued_ >= options_.max_queue || options_.max_wait.count() <= 0) {
    ++stats_.rejected;
    return Admission::kRejected;
  }
  waiter->prev_ = tail_;
  waiter->next_ = nullptr;
  waiter->queued_ = true;
  if (tail_) {
    tail_->next_ = waiter;
  } else {
    head_ = waiter;
  }
  tail_ = waiter;
  ++queued_;
  ++stats_.waited;
  return Admission::kQueued;
}

bool Bulkhead::Cancel(Waiter* waiter) {
  core::MutexLock lock(mu_);
  if (!waiter->queued_) return false;  // granted already: the caller holds a permit
  if (waiter->prev_) {
    waiter->prev_->next_ = waiter->next_;
  } else {
    head_ = waiter->next_;
  }
  if (waiter->next_) {
    waiter->next_->prev_ = waiter->prev_;
  } else {
    tail_ = waiter->prev_;
  }
  waiter->prev_ = waiter->next_ = nullptr;
  waiter->queued_ = false;
  --queued_;
  ++stats_.timed_out;
  return true;
}

void Bulkhead::Release() {
  core::MutexLock lock(mu_);
  if (Waiter* w = head_) {
    // The permit changes hands: in_use_ stays the same.
    head_ = w->next_;
    if (head_) {
      head_->prev_ = nullptr;
    } else {
      tail_ = nullptr;
    }
    w->prev_ = w->next_ = nullptr;
    w->queued_ = false;
    --queued_;
    ++stats_.acquired;
    w->Granted();
    return;
  }
  if (in_use_ > 0) --in_use_;
}

BulkheadStats Bulkhead::Stats() const {
  core::MutexLock lock(mu_);
  BulkheadStats s = stats_;
  s.in_use = in_use_;
  s.queued = queued_;
  return s;
}

}  // namespace reliability
