#include "02_url_shortener_service_mini/http/background_tasks.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include "core/base/log.hpp"

namespace shortener {

BackgroundTasks::BackgroundTasks(BackgroundOptions options, LinkStore& store, VisitRecorder& visits,
                                 StoreHealth& health, LinkCache& cache)
    : options_(options), store_(store), visits_(visits), health_(health), cache_(cache) {}

BackgroundTasks::~BackgroundTasks() { Stop(); }

void BackgroundTasks::Start() {
  boost::asio::co_spawn(ioc_, FlushLoop(), boost::asio::detached);
  boost::asio::co_spawn(ioc_, ProbeLoop(), boost::asio::detached);
  thread_ = std::thread([this] { ioc_.run(); });
}

void BackgroundTasks::Stop() {
  std::call_once(stop_once_, [this] {
    stopping_.store(true);
    boost::asio::post(ioc_, [this] {
      flush_timer_.cancel();
      probe_timer_.cancel();
    });
    if (thread_.joinable()) thread_.join();  // run() returns once both loops have ended
  });
}

core::Task<void> BackgroundTasks::FlushLoop() {
  const auto tick = std::min<std::chrono::milliseconds>(options_.flush_interval / 10,
                                                        std::chrono::milliseconds(100));
  auto last = std::chrono::steady_clock::now();
  while (!stopping_.load()) {
    flush_timer_.expires_after(std::max(tick, std::chrono::milliseconds(1)));
    auto [ec] = co_await flush_timer_.async_wait(core::kUseTuple);
    (void)ec;
    cache_.ExpireSome();
    const auto now = std::chrono::steady_clock::now();
    if (stopping_.load() || (now - last < options_.flush_interval && !visits_.ShouldFlushEarly())) {
      continue;
    }
    last = now;
    core::Result<std::size_t> written = co_await visits_.Flush(store_);
    if (!written) {
      health_.Report(written.error());
      core::log::Warn("visits not recorded", {{"error", written.error().detail}});
    }
  }
  // The last flush: what the final requests recorded.
  core::Result<std::size_t> written = co_await visits_.Flush(store_);
  if (!written) core::log::Warn("last visits not recorded", {{"error", written.error().detail}});
}

core::Task<void> BackgroundTasks::ProbeLoop() {
  while (!stopping_.load()) {
    core::Result<void> ping = co_await store_.Ping();
    if (!ping && health_.up()) {
      core::log::Error("store unavailable", {{"error", ping.error().detail}});
    } else if (ping && !health_.up()) {
      core::log::Info("store available again");
    }
    health_.Report(ping);
    probe_timer_.expires_after(options_.probe_interval);
    auto [ec] = co_await probe_timer_.async_wait(core::kUseTuple);
    (void)ec;
  }
}

}  // namespace shortener
