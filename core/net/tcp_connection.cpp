#include "core/net/tcp_connection.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "core/base/log.hpp"
#include "core/net/tcp_server_state.hpp"

namespace core {
namespace {

// How long the watchdog naps while the protocol is busy (a handler waiting on another service):
// busy connections are never timed out here, only looked at again.
constexpr auto kBusyNap = std::chrono::seconds(60);

}  // namespace

TcpConnection::TcpConnection(tcp::socket socket)
    : socket_(std::move(socket)), watchdog_(socket_.get_executor()) {
  boost::system::error_code ec;
  auto ep = socket_.remote_endpoint(ec);
  if (!ec) {
    peer_address_ = ep.address();
    peer_port_ = ep.port();
  }
  socket_.set_option(tcp::no_delay(true), ec);
  // Writes are first tried in place (see Flush); only a full socket buffer takes the async path.
  socket_.non_blocking(true, ec);
}

TcpConnection::~TcpConnection() {
  if (!server_) return;  // never started
  {
    MutexLock lock(server_->mu);
    server_->connections.erase(id_);
  }
  if (reclaimed_) server_->reclaiming.fetch_sub(1, std::memory_order_relaxed);
  const bool last = server_->active.fetch_sub(1, std::memory_order_acq_rel) == 1;
  if (!last || !server_->draining.load()) return;
  std::function<void()> drained;
  {
    MutexLock lock(server_->mu);
    drained = server_->on_drained;
  }
  if (drained) drained();
}

void TcpConnection::Start(std::shared_ptr<TcpServer::State> server) {
  server_ = std::move(server);
  {
    MutexLock lock(server_->mu);
    id_ = ++server_->next_id;
    server_->connections.emplace(id_, TcpServer::State::Entry{weak_from_this(), this});
  }
  draining_ = server_->draining.load();
  auto executor = socket_.get_executor();
  net::co_spawn(executor, Run(shared_from_this()), net::detached);
  net::co_spawn(executor, Watchdog(shared_from_this()), net::detached);
}

void TcpConnection::Drain() {
  net::post(socket_.get_executor(), [self = shared_from_this()] {
    self->draining_ = true;
    self->watchdog_.cancel();  // wakes the watchdog, which closes an idle connection
  });
}

bool TcpConnection::Reclaim() {
  if (!idle_hint_.exchange(false, std::memory_order_relaxed)) return false;
  net::post(socket_.get_executor(), [self = shared_from_this()] {
    if (self->phase_ == Phase::kClosed || self->reclaimed_) {
      self->server_->reclaiming.fetch_sub(1, std::memory_order_relaxed);  // gone already
      return;
    }
    self->reclaimed_ = true;  // ~TcpConnection gives the reclaiming count back
    self->server_->reclaimed.fetch_add(1, std::memory_order_relaxed);
    if (self->phase_ == Phase::kIdle) self->watchdog_.cancel();  // it closes an idle connection
  });
  return true;
}

void TcpConnection::SetPhase(Phase phase, Clock::time_point deadline) {
  phase_ = phase;
  deadline_ = deadline;
  timed_out_ = false;
  idle_hint_.store(phase == Phase::kIdle && !reclaimed_, std::memory_order_relaxed);
  // Later deadlines are picked up when the watchdog wakes; only an earlier one must wake it now —
  // or, for a connection asked to make room, the first idle moment.
  if (deadline_ < armed_ || (reclaimed_ && phase == Phase::kIdle)) watchdog_.cancel();
}

Task<void> TcpConnection::Watchdog(std::shared_ptr<TcpConnection> self) {
  TcpConnection& c = *self;
  while (c.phase_ != Phase::kClosed) {
    c.armed_ = c.deadline_;
    c.watchdog_.expires_at(c.armed_);
    // Expired or cancelled (a nearer deadline, a drain, a reclaim, or close): re-check below.
    co_await c.watchdog_.async_wait(kUseTuple);
    if (c.phase_ == Phase::kClosed) break;
    const auto now = Clock::now();
    boost::system::error_code ignored;
    if ((c.draining_ || c.reclaimed_) && c.phase_ == Phase::kIdle) {
      c.socket_.cancel(ignored);  // Serve sees the abort and returns
      c.deadline_ = now + std::chrono::seconds(1);
      continue;
    }
    if (now < c.deadline_) continue;  // the deadline moved while we slept
    if (c.phase_ == Phase::kBusy) {
      c.deadline_ = now + kBusyNap;
      continue;
    }
    c.timed_out_ = true;
    c.socket_.cancel(ignored);
    c.deadline_ = now + std::chrono::seconds(1);  // Serve closes promptly; don't spin meanwhile
  }
}

Task<bool> TcpConnection::Flush(std::string& out, Clock::time_point write_deadline) {
  if (out.empty()) co_return true;
  boost::system::error_code ec;
  std::size_t n = socket_.write_some(net::buffer(out), ec);
  if (!ec && n == out.size()) {
    out.clear();
    co_return true;
  }
  if (ec && ec != net::error::would_block && ec != net::error::try_again) co_return false;
  if (ec) n = 0;
  SetPhase(Phase::kWriting, write_deadline);
  auto [wec, written] =
      co_await net::async_write(socket_, net::buffer(out.data() + n, out.size() - n), kUseTuple);
  out.clear();
  co_return !wec;
}

Task<std::size_t> TcpConnection::ReadSome(net::mutable_buffer buffer) {
  auto [ec, n] = co_await socket_.async_read_some(buffer, kUseTuple);
  co_return ec ? 0 : n;
}

Task<void> TcpConnection::Linger(std::chrono::milliseconds time, std::size_t max_bytes) {
  boost::system::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  if (ec) co_return;
  SetPhase(Phase::kLinger, Clock::now() + time);
  std::size_t drained = 0;
  char sink[4096];
  while (drained < max_bytes) {
    auto [rec, n] = co_await socket_.async_read_some(net::buffer(sink), kUseTuple);
    if (rec) break;
    drained += n;
  }
}

void TcpConnection::Close() {
  phase_ = Phase::kClosed;
  idle_hint_.store(false, std::memory_order_relaxed);
  watchdog_.cancel();
  boost::system::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
}

Task<void> TcpConnection::Run(std::shared_ptr<TcpConnection> self) {
  try {
    co_await self->Serve();
  } catch (const std::exception& e) {
    log::Error("connection failed", {{"error", e.what()}});
  }
  self->Close();
}

}  // namespace core
