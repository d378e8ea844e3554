#include "02_url_shortener_service_mini/service/visit_recorder.hpp"

namespace shortener {

bool VisitRecorder::Record(std::string_view code, std::int64_t now, std::string_view referer,
                           std::string_view user_agent) {
  // Parsed before the lock: the critical section is only the push.
  Visit visit{std::string(code), now, ReferrerHost(referer), IsBot(user_agent)};
  {
    core::MutexLock lock(mu_);
    if (buffer_.size() < capacity_) {
      buffer_.push_back(std::move(visit));
      recorded_.fetch_add(1, std::memory_order_relaxed);
      return true;
    }
  }
  dropped_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

std::size_t VisitRecorder::pending() const {
  core::MutexLock lock(mu_);
  return buffer_.size();
}

core::Task<core::Result<std::size_t>> VisitRecorder::Flush(LinkStore& store) {
  {
    core::MutexLock lock(mu_);
    spare_.swap(buffer_);
  }
  if (spare_.empty()) co_return std::size_t{0};
  const std::size_t n = spare_.size();
  std::vector<VisitCount> rows = Aggregate(spare_);
  spare_.clear();
  core::Result<void> written = co_await store.AddVisits(std::move(rows));
  if (!written) {
    lost_.fetch_add(n, std::memory_order_relaxed);
    failed_batches_.fetch_add(1, std::memory_order_relaxed);
    co_return written.error();
  }
  flushed_.fetch_add(n, std::memory_order_relaxed);
  batches_.fetch_add(1, std::memory_order_relaxed);
  co_return n;
}

VisitRecorderStats VisitRecorder::Stats() const {
  VisitRecorderStats s;
  s.recorded = recorded_.load(std::memory_order_relaxed);
  s.dropped = dropped_.load(std::memory_order_relaxed);
  s.flushed = flushed_.load(std::memory_order_relaxed);
  s.lost = lost_.load(std::memory_order_relaxed);
  s.batches = batches_.load(std::memory_order_relaxed);
  s.failed_batches = failed_batches_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace shortener
