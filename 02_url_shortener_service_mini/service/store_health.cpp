#include "02_url_shortener_service_mini/service/store_health.hpp"

namespace shortener {

void StoreHealth::Report(const core::Result<void>& outcome) {
  if (outcome) {
    up_.store(true, std::memory_order_release);
    return;
  }
  const core::Code code = outcome.error().code;
  if (code != core::Code::kUnavailable && code != core::Code::kTimeout) return;
  {
    core::MutexLock lock(mu_);
    why_ = outcome.error().detail;
  }
  up_.store(false, std::memory_order_release);
}

core::Result<void> StoreHealth::Check() const {
  if (up()) return {};
  core::MutexLock lock(mu_);
  return core::Error(core::Code::kUnavailable, why_);  // Readiness prefixes the check's name
}

}  // namespace shortener
