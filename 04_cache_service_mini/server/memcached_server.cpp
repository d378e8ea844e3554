#include "04_cache_service_mini/server/memcached_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <optional>

#include "core/async/task.hpp"
#include "core/base/log.hpp"
#include "core/net/listener.hpp"

namespace cache {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using core::kUseTuple;
using core::Task;
using Clock = std::chrono::steady_clock;

struct MemcachedServer::Worker {
  net::io_context ioc{1};
  std::optional<tcp::acceptor> acceptor;
};

namespace {

constexpr std::size_t kReadChunk = 16 * 1024;

// One connection: the socket loop and a watchdog sharing a deadline (see core/connection.hpp for
// the idea: moving the deadline later costs a store, only an earlier one wakes the watchdog).
struct Connection {
  Connection(tcp::socket s, MemcachedService& svc, const MemcachedServerOptions& o)
      : socket(std::move(s)), session(svc), options(o), timer(socket.get_executor()) {}

  void SetDeadline(Clock::time_point d) {
    deadline = d;
    if (deadline < armed) timer.cancel();
  }

  tcp::socket socket;
  MemcachedSession session;
  const MemcachedServerOptions& options;
  net::steady_timer timer;
  Clock::time_point deadline = Clock::time_point::max();
  Clock::time_point armed = Clock::time_point::max();
  Clock::time_point command_started{};
  bool closed = false;
};

Task<void> Watchdog(std::shared_ptr<Connection> c) {
  while (!c->closed) {
    c->armed = c->deadline;
    c->timer.expires_at(c->armed);
    co_await c->timer.async_wait(kUseTuple);
    if (c->closed) break;
    if (Clock::now() >= c->deadline) {
      boost::system::error_code ignored;
      c->socket.cancel(ignored);  // the pending read or write fails; Serve closes
      c->deadline = Clock::time_point::max();
    }
  }
}

// Writes `out` (in place if the socket buffer takes it all), then clears it.
Task<bool> Write(Connection& c, std::string& out) {
  boost::system::error_code ec;
  std::size_t n = c.socket.write_some(net::buffer(out), ec);
  if (!ec && n == out.size()) {
    out.clear();
    co_return true;
  }
  if (ec && ec != net::error::would_block && ec != net::error::try_again) co_return false;
  if (ec) n = 0;
  c.SetDeadline(Clock::now() + c.options.read_timeout);  // a client not reading its replies
  auto [wec, written] =
      co_await net::async_write(c.socket, net::buffer(out.data() + n, out.size() - n), kUseTuple);
  out.clear();
  co_return !wec;
}

Task<void> Serve(std::shared_ptr<Connection> c, std::shared_ptr<std::atomic<std::size_t>> active) {
  std::vector<char> buf(kReadChunk);
  std::string out;
  for (;;) {
    // Between commands the idle timeout applies (none by default); once a command has started,
    // the read timeout, measured from its first byte so trickling cannot extend it.
    if (c->session.Idle()) {
      c->SetDeadline(c->options.idle_timeout.count() > 0 ? Clock::now() + c->options.idle_timeout
                                                         : Clock::time_point::max());
    } else {
      c->SetDeadline(c->command_started + c->options.read_timeout);
    }
    auto [ec, n] = co_await c->socket.async_read_some(net::buffer(buf), kUseTuple);
    if (ec) break;
    if (c->session.Idle()) c->command_started = Clock::now();
    std::string_view in(buf.data(), n);
    bool ok = true;
    do {
      in.remove_prefix(c->session.Feed(in, out));
      if (!out.empty()) {
        ok = co_await Write(*c, out);
        if (!ok) break;
      }
    } while ((!in.empty() || c->session.Busy()) && !c->session.ShouldClose());
    if (!ok || c->session.ShouldClose()) break;
  }
  c->closed = true;
  c->timer.cancel();
  boost::system::error_code ignored;
  c->socket.shutdown(tcp::socket::shutdown_both, ignored);
  c->socket.close(ignored);
  active->fetch_sub(1, std::memory_order_relaxed);
}

Task<void> Accept(MemcachedService* service, const MemcachedServerOptions* options,
                  tcp::acceptor* acceptor, std::shared_ptr<std::atomic<std::size_t>> active) {
  for (;;) {
    auto [ec, socket] = co_await acceptor->async_accept(kUseTuple);
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor->is_open()) co_return;
      core::log::Warn("memcached accept failed", {{"error", ec.message()}});
      net::steady_timer backoff(acceptor->get_executor(), std::chrono::milliseconds(50));
      co_await backoff.async_wait(kUseTuple);
      continue;
    }
    if (active->fetch_add(1, std::memory_order_relaxed) >= options->max_connections) {
      active->fetch_sub(1, std::memory_order_relaxed);
      boost::system::error_code ignored;
      socket.non_blocking(true, ignored);
      socket.write_some(net::buffer(std::string_view("SERVER_ERROR too many open connections\r\n")),
                        ignored);
      socket.close(ignored);
      continue;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    socket.non_blocking(true, ignored);  // Write() tries in place first
    auto c = std::make_shared<Connection>(std::move(socket), *service, *options);
    auto executor = c->socket.get_executor();
    net::co_spawn(executor, Serve(c, active), net::detached);
    net::co_spawn(executor, Watchdog(c), net::detached);
  }
}

}  // namespace

MemcachedServer::MemcachedServer(MemcachedService& service, MemcachedServerOptions options)
    : service_(service),
      options_(std::move(options)),
      active_(std::make_shared<std::atomic<std::size_t>>(0)) {
  for (int i = 0; i < std::max(1, options_.threads); ++i) {
    workers_.push_back(std::make_unique<Worker>());
  }
}

MemcachedServer::~MemcachedServer() {
  Stop();
  workers_.clear();  // destroys abandoned connections (and their sessions) with the io_contexts
}

core::Result<void> MemcachedServer::Listen() {
  std::vector<net::io_context*> contexts;
  for (auto& w : workers_) contexts.push_back(&w->ioc);
  auto acceptors = core::OpenListeners(contexts, options_.host, options_.port, 1024,
                                       /*reuse_port=*/true);
  if (!acceptors) return acceptors.error();
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    workers_[i]->acceptor.emplace(std::move((*acceptors)[i]));
  }
  port_ = workers_.front()->acceptor->local_endpoint().port();
  return {};
}

void MemcachedServer::Start() {
  for (auto& w : workers_) {
    net::co_spawn(w->ioc, Accept(&service_, &options_, &*w->acceptor, active_), net::detached);
    threads_.emplace_back([ioc = &w->ioc] { ioc->run(); });
  }
}

void MemcachedServer::Stop() {
  if (stopped_.exchange(true)) return;
  // memcached has no graceful drain either: clients reconnect. Stopping the loops abandons the
  // connections; their sockets and sessions are destroyed with the io_contexts.
  for (auto& w : workers_) w->ioc.stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

std::size_t MemcachedServer::active_connections() const noexcept {
  return active_->load(std::memory_order_relaxed);
}

}  // namespace cache
