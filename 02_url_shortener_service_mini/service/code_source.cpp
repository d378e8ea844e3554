#include "02_url_shortener_service_mini/service/code_source.hpp"

namespace shortener {

core::Task<core::Result<std::string>> RandomCodeSource::Next() { co_return RandomBase62(length_); }

core::Task<core::Result<std::string>> CounterCodeSource::Next() {
  {
    core::MutexLock lock(mu_);
    if (auto id = counter_.Take()) co_return Base62(*id, min_length_);
  }
  core::Result<std::uint64_t> first = co_await store_.ReserveIds(block_);
  if (!first) co_return first.error();
  core::MutexLock lock(mu_);
  // Two callers may have refilled at once: the later block wins, the earlier one's rest is skipped.
  counter_.Refill(*first, block_);
  auto id = counter_.Take();
  co_return Base62(*id, min_length_);
}

}  // namespace shortener
