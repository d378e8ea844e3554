#include "core/net/tcp_server.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <cerrno>
#include <csignal>
#include <optional>

#include "core/base/log.hpp"
#include "core/base/throttle.hpp"
#include "core/net/fd_limit.hpp"
#include "core/net/listener.hpp"
#include "core/net/tcp_connection.hpp"
#include "core/net/tcp_server_state.hpp"

namespace core {

using tcp = net::ip::tcp;

namespace {

// Descriptors kept free beyond the connections: listeners, log output, outbound calls, files.
constexpr std::uint64_t kReservedDescriptors = 64;

// A descriptor held in reserve so that, when accept(2) fails with EMFILE, one can be given back to
// take the waiting connection off the queue and refuse it politely. Without this the listening
// socket stays readable and the loop spins on the same error while the client waits.
class SpareDescriptor {
 public:
  SpareDescriptor() { Reopen(); }
  ~SpareDescriptor() { Release(); }
  SpareDescriptor(const SpareDescriptor&) = delete;
  SpareDescriptor& operator=(const SpareDescriptor&) = delete;
  void Release() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  void Reopen() noexcept {
    if (fd_ < 0) fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  }

 private:
  int fd_ = -1;
};

bool OutOfDescriptors(const boost::system::error_code& ec) {
  return ec.category() == boost::system::system_category() &&
         (ec.value() == EMFILE || ec.value() == ENFILE);
}

}  // namespace

struct TcpServer::Worker {
  Worker(int concurrency_hint, bool shared)
      : ioc(concurrency_hint),
        accept_executor(shared ? net::any_io_executor(net::make_strand(ioc)) : ioc.get_executor()) {
  }
  net::io_context ioc;
  // Where the accept loop runs and where Shutdown closes the acceptor: an acceptor is not
  // thread-safe, so with several threads on one io_context both go through one strand.
  net::any_io_executor accept_executor;
  std::optional<tcp::acceptor> acceptor;
  SpareDescriptor spare;
};

void TcpServer::State::Refuse(tcp::socket socket) {
  refused.fetch_add(1, std::memory_order_relaxed);  // before the reply: whoever reads it sees it
  protocol.OnRefused();
  boost::system::error_code ec;
  socket.non_blocking(true, ec);
  const std::string_view reply = protocol.RefusalBytes();
  socket.write_some(net::buffer(reply.data(), reply.size()), ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
  static Throttle throttle(std::chrono::seconds(1));
  if (const auto n = throttle.Allow()) {
    log::Warn("connections refused: every slot busy or draining",
              {{"server", options.name},
               {"refused", n},
               {"active", active.load(std::memory_order_relaxed)},
               {"max_connections", options.max_connections}});
  }
}

bool TcpServer::State::TryReclaim() {
  if (!options.reclaim_idle) return false;
  // Bound the connections admitted over the cap while their reclaimed slots are being freed.
  constexpr std::size_t kMaxReclaiming = 64;
  if (reclaiming.load(std::memory_order_relaxed) >= kMaxReclaiming) return false;
  std::shared_ptr<TcpConnection> chosen;  // released outside the lock: it may be the last owner
  {
    MutexLock lock(mu);
    // Oldest first: the connection registered longest ago is the least likely to be used soon.
    for (auto& [id, entry] : connections) {
      if (!entry.raw->LooksIdle()) continue;
      chosen = entry.weak.lock();
      if (chosen) break;
    }
  }
  if (!chosen) return false;
  reclaiming.fetch_add(1, std::memory_order_relaxed);
  if (!chosen->Reclaim()) {
    reclaiming.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  return true;
}

namespace {

// Takes one waiting connection off the queue when accept(2) fails for want of a descriptor, and
// refuses it: the client gets an answer instead of a timeout, and the loop does not spin.
void RefuseWithSpare(TcpServer::State& state, tcp::acceptor& acceptor, SpareDescriptor& spare) {
  spare.Release();
  const int fd =
      ::accept4(acceptor.native_handle(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (fd >= 0) {
    state.refused.fetch_add(1, std::memory_order_relaxed);
    state.protocol.OnRefused();
    const std::string_view reply = state.protocol.RefusalBytes();
    [[maybe_unused]] auto sent = ::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
    ::close(fd);
  }
  spare.Reopen();
}

Task<void> AcceptLoop(std::shared_ptr<TcpServer::State> state, TcpServer::Worker* worker,
                      bool strand_per_connection) {
  tcp::acceptor& acceptor = *worker->acceptor;
  net::steady_timer backoff(worker->ioc);
  static Throttle error_log(std::chrono::seconds(1));
  bool paused = false;  // the last accept failed for want of a descriptor
  for (;;) {
    // Shared model: each connection gets its own strand, so its two coroutines never run at once.
    net::any_io_executor executor = worker->ioc.get_executor();
    if (strand_per_connection) executor = net::make_strand(worker->ioc);
    auto [ec, socket] = co_await acceptor.async_accept(executor, kUseTuple);
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor.is_open()) co_return;
      if (OutOfDescriptors(ec)) {
        state->fd_exhausted.fetch_add(1, std::memory_order_relaxed);
        if (!paused) state->protocol.OnAccepting(false);
        paused = true;
        state->TryReclaim();  // frees a descriptor for the next one
        RefuseWithSpare(*state, acceptor, worker->spare);
      }
      if (const auto n = error_log.Allow()) {
        log::Warn("accept failed",
                  {{"server", state->options.name}, {"error", ec.message()}, {"count", n}});
      }
      if (!OutOfDescriptors(ec)) {
        backoff.expires_after(std::chrono::milliseconds(10));
        co_await backoff.async_wait(kUseTuple);
      }
      continue;
    }
    if (paused) {
      state->protocol.OnAccepting(true);
      paused = false;
    }
    if (state->draining.load(std::memory_order_relaxed)) {
      state->Refuse(std::move(socket));
      continue;
    }
    if (state->active.fetch_add(1, std::memory_order_acq_rel) >= state->options.max_connections &&
        !state->TryReclaim()) {
      state->active.fetch_sub(1, std::memory_order_acq_rel);
      state->Refuse(std::move(socket));
      continue;
    }
    state->accepted.fetch_add(1, std::memory_order_relaxed);
    auto connection = state->protocol.MakeConnection(std::move(socket));
    connection->Start(state);
  }
}

}  // namespace

TcpServer::TcpServer(TcpServerOptions options, TcpProtocol& protocol)
    : options_(std::move(options)), state_(std::make_shared<State>(options_, protocol)) {
  const int threads = std::max(1, options_.threads);
  if (options_.io_model == IoModel::kShared) {
    workers_.push_back(std::make_unique<Worker>(threads, /*shared=*/true));
  } else {
    // One thread per io_context: concurrency hint 1 lets Asio drop its internal locking.
    for (int i = 0; i < threads; ++i) workers_.push_back(std::make_unique<Worker>(1, false));
  }
}

TcpServer::~TcpServer() {
  // Stop threads still running (a Start without a Shutdown), then drop the drain callback and the
  // hooks, which own I/O objects (shutdown timer, signal set) whose services die with their
  // io_context; then the workers (destroying an io_context destroys abandoned connections too).
  if (!threads_.empty()) {
    for (auto& w : workers_) w->ioc.stop();
    Join();
  }
  {
    MutexLock lock(state_->mu);
    state_->on_drained = nullptr;
  }
  shutdown_hooks_.clear();
  workers_.clear();
}

void TcpServer::OnShutdown(std::function<void()> hook) {
  shutdown_hooks_.push_back(std::move(hook));
}
void TcpServer::OnStopped(std::function<void()> hook) { stopped_hooks_.push_back(std::move(hook)); }

bool TcpServer::draining() const noexcept {
  return state_->draining.load(std::memory_order_relaxed);
}

std::size_t TcpServer::active_connections() const noexcept {
  return state_->active.load(std::memory_order_relaxed);
}

TcpServerStats TcpServer::stats() const noexcept {
  return {.accepted = state_->accepted.load(std::memory_order_relaxed),
          .refused = state_->refused.load(std::memory_order_relaxed),
          .reclaimed = state_->reclaimed.load(std::memory_order_relaxed),
          .fd_exhausted = state_->fd_exhausted.load(std::memory_order_relaxed),
          .active = state_->active.load(std::memory_order_relaxed)};
}

Result<void> TcpServer::Listen() {
  const std::uint64_t fd_limit = RaiseOpenFileLimit();
  if (fd_limit < options_.max_connections + kReservedDescriptors) {
    log::Warn("the open-file limit caps connections below max_connections",
              {{"server", options_.name},
               {"open_file_limit", fd_limit},
               {"max_connections", options_.max_connections}});
  }
  std::vector<net::io_context*> contexts;
  for (auto& w : workers_) contexts.push_back(&w->ioc);
  auto acceptors = OpenListeners(contexts, options_.host, options_.port, options_.backlog,
                                 options_.io_model == IoModel::kReusePort);
  if (!acceptors) return acceptors.error();
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    workers_[i]->acceptor.emplace(std::move((*acceptors)[i]));
  }
  port_ = workers_.front()->acceptor->local_endpoint().port();
  state_->protocol.OnListening(port_);
  return {};
}

void TcpServer::HandleSignals() {
  // On the first worker's accept executor (a strand when threads share the io_context), like
  // everything else Shutdown touches.
  auto signals =
      std::make_shared<net::signal_set>(workers_.front()->accept_executor, SIGINT, SIGTERM);
  signals->async_wait([this, signals](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    log::Info("signal received, shutting down", {{"signal", signo}});
    Shutdown();
  });
  OnShutdown([signals] { net::post(signals->get_executor(), [signals] { signals->cancel(); }); });
}

void TcpServer::RunWorkers(bool include_calling_thread) {
  if (!workers_.front()->acceptor) return;  // Listen failed or was never called
  const bool strand = options_.io_model == IoModel::kShared;
  for (auto& w : workers_) {
    net::co_spawn(w->accept_executor, AcceptLoop(state_, w.get(), strand), net::detached);
  }
  const int n = std::max(1, options_.threads);
  for (int i = include_calling_thread ? 1 : 0; i < n; ++i) {
    net::io_context& ioc =
        strand ? workers_.front()->ioc : workers_[static_cast<std::size_t>(i)]->ioc;
    threads_.emplace_back([&ioc] { ioc.run(); });
  }
}

void TcpServer::Run() {
  RunWorkers(/*include_calling_thread=*/true);
  workers_.front()->ioc.run();
  Join();
}

void TcpServer::Start() { RunWorkers(/*include_calling_thread=*/false); }

void TcpServer::Join() {
  std::call_once(join_once_, [this] {
    for (auto& t : threads_) t.join();
    threads_.clear();
    for (auto& hook : stopped_hooks_) hook();
  });
}

void TcpServer::Shutdown() {
  std::call_once(shutdown_once_, [this] {
    state_->draining.store(true);
    for (auto& hook : shutdown_hooks_) hook();

    // Past the deadline, whatever still runs is abandoned: stop every io_context. The timer lives
    // on the first worker's accept executor: arming it and cancelling it (below) are both posted
    // there, so they never race when threads share the io_context.
    const auto executor = workers_.front()->accept_executor;
    auto timer = std::make_shared<net::steady_timer>(executor, options_.shutdown_timeout);
    net::post(executor, [this, timer] {
      timer->async_wait([this, timer](const boost::system::error_code& ec) {
        if (ec) return;
        log::Warn("shutdown deadline passed; abandoning in-flight requests",
                  {{"server", options_.name}, {"connections", active_connections()}});
        for (auto& w : workers_) w->ioc.stop();
      });
    });
    // When the last connection closes first, cancel the deadline so Run() returns at once.
    auto cancel_deadline = [timer, executor] { net::post(executor, [timer] { timer->cancel(); }); };
    {
      MutexLock lock(state_->mu);
      state_->on_drained = cancel_deadline;
    }
    if (state_->active.load() == 0) cancel_deadline();

    for (auto& w : workers_) {
      if (!w->acceptor) continue;  // never listened
      net::post(w->accept_executor, [acc = &*w->acceptor] {
        boost::system::error_code ignored;
        acc->close(ignored);
      });
    }
    std::vector<std::shared_ptr<TcpConnection>> live;
    {
      MutexLock lock(state_->mu);
      for (auto& [id, entry] : state_->connections) {
        if (auto c = entry.weak.lock()) live.push_back(std::move(c));
      }
    }
    for (auto& c : live) c->Drain();
  });
}

}  // namespace core
