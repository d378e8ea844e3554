#include "03_job_queue_worker_mini/server/beanstalk_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <optional>

#include "03_job_queue_worker_mini/server/wakeup.hpp"
#include "core/async/task.hpp"
#include "core/base/log.hpp"
#include "core/net/listener.hpp"

namespace jobs_server {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using core::kUseTuple;
using core::Task;
using Clock = std::chrono::steady_clock;

struct BeanstalkServer::Worker {
  net::io_context ioc{1};
  std::optional<tcp::acceptor> acceptor;
};

namespace {

constexpr std::size_t kReadChunk = 16 * 1024;

// Where the engine leaves the end of a waiting reserve (on its thread) for the connection (on
// its executor). The post inside Wakeup::Fire orders the write before the read.
struct Parked {
  explicit Parked(const net::any_io_executor& ex) : wake(std::make_shared<Wakeup>(ex)) {}
  std::shared_ptr<Wakeup> wake;
  std::optional<jobs::WaitResult> result;
};

struct Connection {
  Connection(tcp::socket s, beanstalk::Service& svc, wal::Wal* l, const BeanstalkServerOptions& o)
      : socket(std::move(s)),
        session(svc),
        log(l),
        options(o),
        timer(socket.get_executor()),
        parked(std::make_shared<Parked>(socket.get_executor())) {
    session.SetWaker([p = parked](jobs::WaitResult r) {
      p->result = std::move(r);
      p->wake->Fire();
    });
  }

  void SetDeadline(Clock::time_point d) {
    deadline = d;
    if (deadline < armed) timer.cancel();
  }

  tcp::socket socket;
  beanstalk::Session session;
  wal::Wal* log;
  const BeanstalkServerOptions& options;
  net::steady_timer timer;
  std::shared_ptr<Parked> parked;
  Clock::time_point deadline = Clock::time_point::max();
  Clock::time_point armed = Clock::time_point::max();
  bool closed = false;
};

// One timer per connection and a deadline variable (core/http/connection.cpp's watchdog).
Task<void> Watchdog(std::shared_ptr<Connection> c) {
  while (!c->closed) {
    c->armed = c->deadline;
    c->timer.expires_at(c->armed);
    co_await c->timer.async_wait(kUseTuple);
    if (c->closed) break;
    if (Clock::now() >= c->deadline) {
      boost::system::error_code ignored;
      c->socket.cancel(ignored);
      c->deadline = Clock::time_point::max();
    }
  }
}

// Writes `out` once what it reports is durable, then clears it. False: the client is gone.
Task<bool> Flush(std::shared_ptr<Connection> c, std::string& out) {
  const jobs::Lsn lsn = c->session.TakeLsn();
  if (c->log != nullptr && lsn != 0 && !c->log->Commit(lsn)) {
    auto synced = std::make_shared<Wakeup>(c->socket.get_executor());
    c->log->WhenSynced(lsn, [synced] { synced->Fire(); });
    co_await synced->Wait();  // group commit: one fsync for every connection waiting now
  }
  if (out.empty()) co_return true;
  boost::system::error_code ec;
  std::size_t n = c->socket.write_some(net::buffer(out), ec);
  if (!ec && n == out.size()) {
    out.clear();
    co_return true;
  }
  if (ec && ec != net::error::would_block && ec != net::error::try_again) co_return false;
  if (ec) n = 0;
  c->SetDeadline(Clock::now() + c->options.read_timeout);  // a client not reading its replies
  auto [wec, written] =
      co_await net::async_write(c->socket, net::buffer(out.data() + n, out.size() - n), kUseTuple);
  out.clear();
  co_return !wec;
}

Task<void> Serve(std::shared_ptr<Connection> c, std::shared_ptr<std::atomic<std::size_t>> active) {
  std::vector<char> buf(kReadChunk);
  std::string out;
  Clock::time_point command_started{};
  for (;;) {
    // Between commands no deadline (beanstalkd has none); once a command line or body has
    // started, --beanstalkd-read-timeout from its first byte, so trickling cannot extend it.
    const bool idle = c->session.Idle();
    c->SetDeadline(idle ? Clock::time_point::max() : command_started + c->options.read_timeout);
    auto [ec, n] = co_await c->socket.async_read_some(net::buffer(buf), kUseTuple);
    if (ec) break;
    if (idle) command_started = Clock::now();
    std::string_view in(buf.data(), n);
    bool ok = true;
    do {
      in.remove_prefix(c->session.Feed(in, out));
      if (c->session.Waiting()) {
        // Answer what came before the reserve, then park until the engine ends the wait.
        ok = co_await Flush(c, out);
        if (!ok) break;
        c->SetDeadline(Clock::time_point::max());
        co_await c->parked->wake->Wait();
        c->parked->wake->Reset();
        c->session.CompleteWait(*c->parked->result, out);
        c->parked->result.reset();
      }
      if (!out.empty() || !in.empty()) {
        ok = co_await Flush(c, out);
        if (!ok) break;
      }
    } while (!in.empty() && !c->session.ShouldClose());
    if (ok && c->session.ShouldClose()) ok = co_await Flush(c, out);
    if (!ok || c->session.ShouldClose()) break;
  }
  c->closed = true;
  c->timer.cancel();
  boost::system::error_code ignored;
  c->socket.shutdown(tcp::socket::shutdown_both, ignored);
  c->socket.close(ignored);
  active->fetch_sub(1, std::memory_order_relaxed);
}

Task<void> Accept(beanstalk::Service* service, wal::Wal* log, const BeanstalkServerOptions* options,
                  tcp::acceptor* acceptor, std::shared_ptr<std::atomic<std::size_t>> active) {
  for (;;) {
    auto [ec, socket] = co_await acceptor->async_accept(kUseTuple);
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor->is_open()) co_return;
      core::log::Warn("beanstalkd accept failed", {{"error", ec.message()}});
      net::steady_timer backoff(acceptor->get_executor(), std::chrono::milliseconds(50));
      co_await backoff.async_wait(kUseTuple);  // EMFILE: let connections close first
      continue;
    }
    boost::system::error_code ignored;
    if (active->fetch_add(1, std::memory_order_relaxed) >= options->max_connections) {
      active->fetch_sub(1, std::memory_order_relaxed);
      socket.close(ignored);  // beanstalkd has no word for "too many connections"
      continue;
    }
    socket.set_option(tcp::no_delay(true), ignored);
    socket.non_blocking(true, ignored);  // Flush() tries in place first
    auto c = std::make_shared<Connection>(std::move(socket), *service, log, *options);
    auto executor = c->socket.get_executor();
    net::co_spawn(executor, Serve(c, active), net::detached);
    net::co_spawn(executor, Watchdog(c), net::detached);
  }
}

}  // namespace

BeanstalkServer::BeanstalkServer(beanstalk::Service& service, wal::Wal* log,
                                 BeanstalkServerOptions options)
    : service_(service),
      log_(log),
      options_(std::move(options)),
      active_(std::make_shared<std::atomic<std::size_t>>(0)) {
  for (int i = 0; i < std::max(1, options_.threads); ++i) {
    workers_.push_back(std::make_unique<Worker>());
  }
}

BeanstalkServer::~BeanstalkServer() {
  Stop();
  workers_.clear();  // destroys abandoned connections (their sessions disconnect) with the loops
}

core::Result<void> BeanstalkServer::Listen() {
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

void BeanstalkServer::Start() {
  for (auto& w : workers_) {
    net::co_spawn(w->ioc, Accept(&service_, log_, &options_, &*w->acceptor, active_),
                  net::detached);
    threads_.emplace_back([ioc = &w->ioc] { ioc->run(); });
  }
}

void BeanstalkServer::Stop() {
  if (stopped_.exchange(true)) return;
  for (auto& w : workers_) w->ioc.stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

}  // namespace jobs_server
