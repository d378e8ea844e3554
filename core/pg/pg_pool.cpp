#include "core/pg/pg_pool.hpp"

#include <sys/socket.h>

#include <cerrno>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

namespace core::pg {
namespace {

using Clock = std::chrono::steady_clock;
using WaitType = net::posix::descriptor_base::wait_type;

std::string Trimmed(const char* message) {
  std::string s = message != nullptr ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Waits for a libpq socket on the caller's executor, with one deadline for a whole statement (or
// connect). A timer cancels the wait in progress when the deadline passes; the shared state lets
// its handler outlive this object safely (it only touches the descriptor while a wait is on).
class SocketWaiter {
 public:
  SocketWaiter(const net::any_io_executor& executor, Clock::time_point deadline)
      : descriptor_(executor), timer_(executor), state_(std::make_shared<State>()) {
    timer_.expires_at(deadline);
    timer_.async_wait([state = state_](const boost::system::error_code& ec) {
      if (ec) return;
      state->expired = true;
      if (state->waiting != nullptr) state->waiting->cancel();
    });
  }
  ~SocketWaiter() {
    state_->waiting = nullptr;
    timer_.cancel();
    if (descriptor_.is_open()) (void)descriptor_.release();  // libpq owns the socket
  }
  SocketWaiter(const SocketWaiter&) = delete;
  SocketWaiter& operator=(const SocketWaiter&) = delete;

  // Watches `fd` from now on (libpq may switch sockets while connecting).
  Result<void> Use(int fd) {
    if (fd < 0) return Error(Code::kUnavailable, "postgres: no socket");
    if (descriptor_.is_open() && descriptor_.native_handle() == fd) return {};
    if (descriptor_.is_open()) (void)descriptor_.release();
    boost::system::error_code ec;
    descriptor_.assign(fd, ec);
    if (ec) return Error(Code::kUnavailable, "postgres: cannot watch the socket: " + ec.message());
    return {};
  }

  // kTimeout once the deadline has passed; kUnavailable if the wait fails.
  Task<Result<void>> Wait(WaitType type) {
    if (state_->expired) co_return Error(Code::kTimeout, "postgres: deadline passed");
    state_->waiting = &descriptor_;
    auto [ec] = co_await descriptor_.async_wait(type, kUseTuple);
    state_->waiting = nullptr;
    if (state_->expired) co_return Error(Code::kTimeout, "postgres: deadline passed");
    if (ec) co_return Error(Code::kUnavailable, "postgres: socket wait: " + ec.message());
    co_return Result<void>();
  }

 private:
  struct State {
    net::posix::stream_descriptor* waiting = nullptr;
    bool expired = false;
  };
  net::posix::stream_descriptor descriptor_;
  net::steady_timer timer_;
  std::shared_ptr<State> state_;
};

// An idle connection is alive when nothing but "would block" is left to read on its socket:
// whatever the server sent meanwhile (a "terminating connection" notice) is consumed first, and
// an end of stream or an error means it is gone. Never waits.
bool Alive(PGconn* pg) {
  for (int round = 0; round < 4; ++round) {
    if (PQconsumeInput(pg) == 0 || PQstatus(pg) != CONNECTION_OK || PQisBusy(pg) != 0) {
      return false;
    }
    char byte;
    const ssize_t n = ::recv(PQsocket(pg), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
    if (n == 0) return false;  // the server closed it
    // More bytes arrived: consume them and look again.
  }
  return false;
}

}  // namespace

struct PgPool::Conn {
  PGconn* pg = nullptr;
  bool broken = false;
  ~Conn() {
    if (pg != nullptr) PQfinish(pg);
  }
};

// A caller waiting for a connection. Guarded by the pool's mutex except `timer`, which only the
// waiter's own executor touches (the waker posts the cancel there).
struct PgPool::Waiter {
  explicit Waiter(const net::any_io_executor& executor) : timer(executor) {}
  net::steady_timer timer;
  std::unique_ptr<Conn> conn;  // handed over by Release
  bool may_connect = false;    // a slot was freed and counted for it: it connects itself
  std::string failure;         // set when the pool closed or a connect failed: fail at once
};

namespace {
void Wake(const std::shared_ptr<PgPool::Waiter>& waiter) {
  net::post(waiter->timer.get_executor(), [waiter] { waiter->timer.cancel(); });
}
}  // namespace

PgPool::PgPool(PgPoolOptions options) : options_(std::move(options)) {}

PgPool::~PgPool() { Close(); }

void PgPool::Close() {
  std::vector<std::unique_ptr<Conn>> idle;
  std::deque<std::shared_ptr<Waiter>> waiters;
  {
    MutexLock lock(mu_);
    closed_ = true;
    idle.swap(idle_);
    open_ -= idle.size();
    waiters.swap(waiters_);
    for (auto& w : waiters) w->failure = "postgres: pool closed";
  }
  for (auto& w : waiters) Wake(w);
}

PgPoolStats PgPool::Stats() const {
  MutexLock lock(mu_);
  PgPoolStats s = stats_;
  s.open = open_;
  s.idle = idle_.size();
  return s;
}

void PgPool::NoteConnectFailure() {
  ++stats_.connect_failures;
  ++consecutive_connect_failures_;
  auto backoff = options_.reconnect_backoff;
  for (int i = 1; i < consecutive_connect_failures_ && backoff < options_.reconnect_backoff_max;
       ++i) {
    backoff *= 2;
  }
  if (backoff > options_.reconnect_backoff_max) backoff = options_.reconnect_backoff_max;
  backoff_until_ = Clock::now() + backoff;
}

bool PgPool::TakeLiveIdle(std::unique_ptr<Conn>& out) {
  // A connection idle in the pool may have died meanwhile (a restart sends "terminating
  // connection" and closes): reading what is pending, without blocking, tells — one recv per
  // acquire, instead of failing the caller's statement.
  while (!idle_.empty()) {
    std::unique_ptr<Conn> conn = std::move(idle_.back());
    idle_.pop_back();
    if (Alive(conn->pg)) {
      out = std::move(conn);
      return true;
    }
    --open_;
    ++stats_.discarded;  // PQfinish in Conn's destructor: no I/O wait, the socket is dead
  }
  return false;
}

Task<Result<std::unique_ptr<PgPool::Conn>>> PgPool::Connect() {
  auto conn = std::make_unique<Conn>();
  conn->pg = PQconnectStart(options_.conninfo.c_str());
  if (conn->pg == nullptr) co_return Error(Code::kUnavailable, "postgres: out of memory");
  if (PQstatus(conn->pg) == CONNECTION_BAD) {
    co_return Error(Code::kUnavailable, "postgres: " + Trimmed(PQerrorMessage(conn->pg)));
  }
  const net::any_io_executor executor = co_await net::this_coro::executor;
  SocketWaiter waiter(executor, Clock::now() + options_.connect_timeout);
  PostgresPollingStatusType poll = PGRES_POLLING_WRITING;  // what libpq asks before the first poll
  while (poll != PGRES_POLLING_OK) {
    if (poll == PGRES_POLLING_FAILED) {
      co_return Error(Code::kUnavailable, "postgres: " + Trimmed(PQerrorMessage(conn->pg)));
    }
    if (auto used = waiter.Use(PQsocket(conn->pg)); !used) co_return used.error();
    const WaitType type = poll == PGRES_POLLING_READING ? net::posix::descriptor_base::wait_read
                                                        : net::posix::descriptor_base::wait_write;
    Result<void> ready = co_await waiter.Wait(type);
    if (!ready) {
      co_return Error(Code::kUnavailable, "postgres: connect: " + ready.error().detail);
    }
    poll = PQconnectPoll(conn->pg);
  }
  // Server notices (a WARNING during shutdown, NOTICEs of IF NOT EXISTS) would go to stderr.
  PQsetNoticeProcessor(
      conn->pg, [](void*, const char*) {}, nullptr);
  if (PQsetnonblocking(conn->pg, 1) != 0) {
    co_return Error(Code::kUnavailable, "postgres: " + Trimmed(PQerrorMessage(conn->pg)));
  }
  co_return std::move(conn);
}

Task<Result<PgPool::Lease>> PgPool::Acquire() {
  const net::any_io_executor executor = co_await net::this_coro::executor;
  std::unique_ptr<Conn> conn;
  std::shared_ptr<Waiter> waiter;
  std::optional<Error> refused;
  {
    MutexLock lock(mu_);
    if (closed_) {
      refused = Error(Code::kUnavailable, "postgres: pool closed");
    } else if (TakeLiveIdle(conn)) {
      // an idle connection that is still alive
    } else if (open_ < options_.max_connections) {
      if (Clock::now() < backoff_until_) {
        refused = Error(Code::kUnavailable, "postgres: unreachable, retrying after a backoff (" +
                                                last_connect_error_ + ")");
      } else {
        ++open_;  // this caller connects
      }
    } else if (waiters_.size() >= options_.max_waiters) {
      refused = Error(Code::kUnavailable, "postgres: too many callers waiting for a connection");
    } else {
      waiter = std::make_shared<Waiter>(executor);
      waiters_.push_back(waiter);
      ++stats_.waits;
    }
    if (refused) ++stats_.unavailable;
  }
  if (refused) co_return *refused;
  if (waiter) {
    waiter->timer.expires_after(options_.acquire_timeout);
    auto [ec] = co_await waiter->timer.async_wait(kUseTuple);
    (void)ec;  // woken (cancelled) or timed out: the state below says which
    MutexLock lock(mu_);
    if (waiter->conn) {
      conn = std::move(waiter->conn);
    } else if (!waiter->may_connect) {
      std::erase(waiters_, waiter);
      if (!waiter->failure.empty()) {
        ++stats_.unavailable;
        refused = Error(Code::kUnavailable, waiter->failure);
      } else {
        ++stats_.timeouts;
        refused = Error(Code::kTimeout, "postgres: no free connection within " +
                                            std::to_string(options_.acquire_timeout.count()) +
                                            " ms (--pg-max-connections)");
      }
    }
  }
  if (refused) co_return *refused;
  if (conn) co_return Lease(this, std::move(conn));

  Result<std::unique_ptr<Conn>> made = co_await Connect();
  std::deque<std::shared_ptr<Waiter>> failed;
  {
    MutexLock lock(mu_);
    if (!made) {
      --open_;
      last_connect_error_ = made.error().detail;
      NoteConnectFailure();
      // Everyone queued behind this connect would wait for nothing: fail them now.
      failed.swap(waiters_);
      for (auto& w : failed) w->failure = made.error().detail;
    } else {
      ++stats_.connects;
      consecutive_connect_failures_ = 0;
      backoff_until_ = {};
      if (closed_) {
        --open_;
        refused = Error(Code::kUnavailable, "postgres: pool closed");
      }
    }
  }
  for (auto& w : failed) Wake(w);
  if (!made) co_return made.error();
  if (refused) co_return *refused;
  co_return Lease(this, std::move(*made));
}

void PgPool::Release(std::unique_ptr<Conn> conn, bool reusable) {
  std::unique_ptr<Conn> drop;
  std::shared_ptr<Waiter> wake;
  {
    MutexLock lock(mu_);
    if (!reusable || closed_) {
      drop = std::move(conn);
      --open_;
      if (!reusable) ++stats_.discarded;
      if (!closed_ && !waiters_.empty()) {  // the freed slot goes to the first waiter
        wake = waiters_.front();
        waiters_.pop_front();
        wake->may_connect = true;
        ++open_;
      }
    } else if (!waiters_.empty()) {
      wake = waiters_.front();
      waiters_.pop_front();
      wake->conn = std::move(conn);
    } else {
      idle_.push_back(std::move(conn));
    }
  }
  drop.reset();  // PQfinish outside the lock
  if (wake) Wake(wake);
}

Task<Result<PgResult>> PgPool::Query(std::string sql, std::vector<PgParam> params,
                                     std::chrono::milliseconds timeout) {
  Result<Lease> lease = co_await Acquire();
  if (!lease) co_return lease.error();
  co_return co_await lease->Query(std::move(sql), std::move(params), timeout);
}

PgPool::Lease::Lease(PgPool* pool, std::unique_ptr<Conn> conn)
    : pool_(pool), conn_(std::move(conn)) {}

PgPool::Lease::Lease(Lease&& other) noexcept : pool_(other.pool_), conn_(std::move(other.conn_)) {}

PgPool::Lease::~Lease() {
  if (!conn_) return;
  const bool reusable = !conn_->broken && PQstatus(conn_->pg) == CONNECTION_OK &&
                        PQtransactionStatus(conn_->pg) == PQTRANS_IDLE;
  pool_->Release(std::move(conn_), reusable);
}

Task<Result<PgResult>> PgPool::Lease::Query(std::string sql, std::vector<PgParam> params,
                                            std::chrono::milliseconds timeout) {
  if (!conn_ || conn_->broken) co_return Error(Code::kUnavailable, "postgres: connection lost");
  PGconn* pg = conn_->pg;
  const auto limit = timeout.count() > 0 ? timeout : pool_->options_.query_timeout;
  const net::any_io_executor executor = co_await net::this_coro::executor;
  SocketWaiter waiter(executor, Clock::now() + limit);
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  {
    MutexLock lock(pool_->mu_);
    ++pool_->stats_.queries;
  }
  // Any failure below leaves the connection in an unknown state: it is marked broken (closed when
  // the lease ends), and a timeout is counted.
  auto fail = [this](const Error& e) {
    conn_->broken = true;
    if (e.code == Code::kTimeout) {
      MutexLock lock(pool_->mu_);
      ++pool_->stats_.timeouts;
    }
    return e;
  };
  // Without parameters the simple protocol is used, which also takes several statements at once
  // (schema scripts); with parameters, the extended protocol (one statement, no SQL injection).
  const int sent = values.empty()
                       ? PQsendQuery(pg, sql.c_str())
                       : PQsendQueryParams(pg, sql.c_str(), static_cast<int>(values.size()),
                                           nullptr, values.data(), nullptr, nullptr, 0);
  if (sent == 0) {
    co_return fail(Error(Code::kUnavailable, "postgres: " + Trimmed(PQerrorMessage(pg))));
  }
  if (auto used = waiter.Use(PQsocket(pg)); !used) co_return fail(used.error());
  for (;;) {  // send what libpq could not write at once
    const int flushed = PQflush(pg);
    if (flushed == 0) break;
    if (flushed < 0) {
      co_return fail(Error(Code::kUnavailable, "postgres: " + Trimmed(PQerrorMessage(pg))));
    }
    Result<void> writable = co_await waiter.Wait(net::posix::descriptor_base::wait_write);
    if (!writable) co_return fail(writable.error());
  }
  // Several statements in one string yield several results: keep the first error, else the last.
  std::optional<PgResult> kept;
  for (;;) {
    while (PQisBusy(pg) != 0) {
      Result<void> readable = co_await waiter.Wait(net::posix::descriptor_base::wait_read);
      if (!readable) co_return fail(readable.error());
      if (PQconsumeInput(pg) == 0) {
        co_return fail(Error(Code::kUnavailable, "postgres: " + Trimmed(PQerrorMessage(pg))));
      }
    }
    PGresult* raw = PQgetResult(pg);
    if (raw == nullptr) break;
    PgResult result(raw);
    if (!kept || kept->ok()) kept = std::move(result);
  }
  if (PQstatus(pg) != CONNECTION_OK) conn_->broken = true;
  if (!kept) co_return fail(Error(Code::kUnavailable, "postgres: no result"));
  if (!kept->ok()) {
    {
      MutexLock lock(pool_->mu_);
      ++pool_->stats_.sql_errors;
    }
    // A fatal result without a SQLSTATE is libpq's own report of a lost connection.
    if (kept->sqlstate().empty()) {
      conn_->broken = true;
      co_return Error(Code::kUnavailable, "postgres: " + Trimmed(kept->error().c_str()));
    }
  }
  co_return std::move(*kept);
}

Task<Result<std::vector<PgNotification>>> PgPool::Lease::WaitForNotifications(
    std::chrono::milliseconds timeout) {
  if (!conn_ || conn_->broken) co_return Error(Code::kUnavailable, "postgres: connection lost");
  PGconn* pg = conn_->pg;
  const net::any_io_executor executor = co_await net::this_coro::executor;
  SocketWaiter waiter(executor, Clock::now() + timeout);
  if (auto used = waiter.Use(PQsocket(pg)); !used) {
    conn_->broken = true;
    co_return used.error();
  }
  std::vector<PgNotification> out;
  for (;;) {
    // Notifications arrive between statements: read what the socket holds, then take them.
    if (PQconsumeInput(pg) == 0 || PQstatus(pg) != CONNECTION_OK) {
      conn_->broken = true;
      co_return Error(Code::kUnavailable, "postgres: " + Trimmed(PQerrorMessage(pg)));
    }
    while (PGnotify* n = PQnotifies(pg)) {
      out.push_back({n->relname != nullptr ? n->relname : "", n->extra != nullptr ? n->extra : ""});
      PQfreemem(n);
    }
    if (!out.empty()) co_return out;
    Result<void> readable = co_await waiter.Wait(net::posix::descriptor_base::wait_read);
    if (!readable) {
      if (readable.error().code == Code::kTimeout) co_return out;  // nothing in time: not a failure
      conn_->broken = true;
      co_return readable.error();
    }
  }
}

std::string PgTextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) out.push_back(',');
    out.push_back('"');
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

Task<Result<void>> RunScript(PgPool& pool, std::string script) {
  Result<PgResult> r = co_await pool.Query(std::move(script));
  if (!r) co_return r.error();
  if (!r->ok()) co_return StatementError(*r);
  co_return Result<void>();
}

}  // namespace core::pg
