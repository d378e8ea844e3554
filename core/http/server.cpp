#include "core/http/server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <csignal>
#include <optional>
#include <thread>

#include "core/base/log.hpp"
#include "core/http/connection.hpp"
#include "core/http/problem.hpp"
#include "core/net/listener.hpp"

namespace core {

using tcp = net::ip::tcp;

struct Server::Worker {
  Worker(int concurrency_hint, bool shared)
      : ioc(concurrency_hint),
        accept_executor(shared ? net::any_io_executor(net::make_strand(ioc)) : ioc.get_executor()) {
  }
  net::io_context ioc;
  // Where the accept loop runs and where Shutdown closes the acceptor: an acceptor is not
  // thread-safe, so with several threads on one io_context both go through one strand.
  net::any_io_executor accept_executor;
  std::optional<tcp::acceptor> acceptor;
};

namespace {

// Sent, without reading the request, to a connection over --max-connections: the cheapest honest
// answer. Reading first would let a flood pin memory we promised to bound.
const std::string& BusyResponse() {
  static const std::string text = [] {
    std::string body = ProblemJson(
        Error(Code::kUnavailable, "the server is at its connection limit; retry shortly"), "", "");
    return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\n"
           "Retry-After: 1\r\nConnection: close\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }();
  return text;
}

void Reject(tcp::socket socket) {
  beast::error_code ec;
  socket.non_blocking(true, ec);
  socket.write_some(net::buffer(BusyResponse()), ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

Task<void> AcceptLoop(std::shared_ptr<Server::State> state, tcp::acceptor* acceptor,
                      net::io_context* ioc, bool strand_per_connection) {
  net::steady_timer backoff(*ioc);
  for (;;) {
    // Shared model: each connection gets its own strand, so its two coroutines never run at once.
    net::any_io_executor executor = ioc->get_executor();
    if (strand_per_connection) executor = net::make_strand(*ioc);
    auto [ec, socket] = co_await acceptor->async_accept(executor, kUseTuple);
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor->is_open()) co_return;
      log::Warn("accept failed", {{"error", ec.message()}});
      // Out of descriptors (EMFILE/ENFILE): back off instead of spinning on the same error.
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(kUseTuple);
      continue;
    }
    if (state->draining.load()) {
      Reject(std::move(socket));
      continue;
    }
    if (state->active.fetch_add(1, std::memory_order_acq_rel) >= state->options.max_connections) {
      state->active.fetch_sub(1, std::memory_order_acq_rel);
      Reject(std::move(socket));
      continue;
    }
    std::make_shared<Connection>(std::move(socket), state)->Start();
  }
}

}  // namespace

Server::Server(ServerOptions options, const Pipeline& pipeline)
    : options_(std::move(options)), state_(std::make_shared<State>(options_, pipeline)) {
  const int threads = std::max(1, options_.threads);
  if (options_.io_model == IoModel::kShared) {
    workers_.push_back(std::make_unique<Worker>(threads, /*shared=*/true));
  } else {
    // One thread per io_context: concurrency hint 1 lets Asio drop its internal locking.
    for (int i = 0; i < threads; ++i) workers_.push_back(std::make_unique<Worker>(1, false));
  }
}

Server::~Server() {
  // The drain callback and the hooks own I/O objects (shutdown timer, signal set) whose services
  // die with their io_context: drop them first, then the workers (destroying an io_context also
  // destroys any abandoned connection).
  {
    std::lock_guard lock(state_->mu);
    state_->on_drained = nullptr;
  }
  shutdown_hooks_.clear();
  workers_.clear();
}

bool Server::draining() const noexcept { return state_->draining.load(std::memory_order_relaxed); }

std::size_t Server::active_connections() const noexcept {
  return state_->active.load(std::memory_order_relaxed);
}

Result<void> Server::Listen() {
  std::vector<net::io_context*> contexts;
  for (auto& w : workers_) contexts.push_back(&w->ioc);
  auto acceptors = OpenListeners(contexts, options_.host, options_.port, options_.backlog,
                                 options_.io_model == IoModel::kReusePort);
  if (!acceptors) return acceptors.error();
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    workers_[i]->acceptor.emplace(std::move((*acceptors)[i]));
  }
  port_ = workers_.front()->acceptor->local_endpoint().port();
  return {};
}

void Server::HandleSignals() {
  // On the first worker's accept executor (a strand when threads share the io_context), like
  // everything else Shutdown touches.
  auto signals =
      std::make_shared<net::signal_set>(workers_.front()->accept_executor, SIGINT, SIGTERM);
  signals->async_wait([this, signals](const beast::error_code& ec, int signo) {
    if (ec) return;
    log::Info("signal received, shutting down", {{"signal", signo}});
    Shutdown();
  });
  OnShutdown([signals] { net::post(signals->get_executor(), [signals] { signals->cancel(); }); });
}

void Server::Run() {
  const bool strand = options_.io_model == IoModel::kShared;
  for (auto& w : workers_) {
    net::co_spawn(w->accept_executor, AcceptLoop(state_, &*w->acceptor, &w->ioc, strand),
                  net::detached);
  }
  std::vector<std::thread> threads;
  const int n = std::max(1, options_.threads);
  for (int i = 1; i < n; ++i) {
    net::io_context& ioc = strand ? workers_.front()->ioc : workers_[i]->ioc;
    threads.emplace_back([&ioc] { ioc.run(); });
  }
  workers_.front()->ioc.run();
  for (auto& t : threads) t.join();
  for (auto& hook : stopped_hooks_) hook();
}

void Server::Shutdown() {
  std::call_once(shutdown_once_, [this] {
    state_->draining.store(true);
    for (auto& hook : shutdown_hooks_) hook();

    // Past the deadline, whatever still runs is abandoned: stop every io_context. The timer lives
    // on the first worker's accept executor: arming it and cancelling it (below) are both posted
    // there, so they never race when threads share the io_context.
    const auto executor = workers_.front()->accept_executor;
    auto timer = std::make_shared<net::steady_timer>(executor, options_.shutdown_timeout);
    net::post(executor, [this, timer] {
      timer->async_wait([this, timer](const beast::error_code& ec) {
        if (ec) return;
        log::Warn("shutdown deadline passed; abandoning in-flight requests",
                  {{"connections", active_connections()}});
        for (auto& w : workers_) w->ioc.stop();
      });
    });
    // When the last connection closes first, cancel the deadline so Run() returns at once.
    {
      std::lock_guard lock(state_->mu);
      state_->on_drained = [timer, executor] { net::post(executor, [timer] { timer->cancel(); }); };
    }
    if (state_->active.load() == 0) state_->on_drained();

    for (auto& w : workers_) {
      net::post(w->accept_executor, [acc = &*w->acceptor] {
        beast::error_code ignored;
        acc->close(ignored);
      });
    }
    std::vector<std::shared_ptr<Connection>> live;
    {
      std::lock_guard lock(state_->mu);
      for (auto& [id, weak] : state_->connections) {
        if (auto c = weak.lock()) live.push_back(std::move(c));
      }
    }
    for (auto& c : live) c->Drain();
  });
}

}  // namespace core
