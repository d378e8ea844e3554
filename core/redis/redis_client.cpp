#include "core/redis/redis_client.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>
#include <deque>
#include <new>

namespace core {

namespace net = core::net;
using core::Code;
using core::Error;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------------
// Connection

struct RedisClient::Shared {
  explicit Shared(RedisClientOptions o) : options(std::move(o)) {}

  const RedisClientOptions options;
  std::atomic<std::uint64_t> commands{0};
  std::atomic<std::uint64_t> replies{0};
  std::atomic<std::uint64_t> timeouts{0};
  std::atomic<std::uint64_t> unavailable{0};
  std::atomic<std::uint64_t> connects{0};
  std::atomic<std::uint64_t> connect_failures{0};
  std::atomic<std::uint64_t> disconnects{0};
  std::atomic<std::uint64_t> protocol_errors{0};
};

namespace {

using ReplyHandler = net::any_completion_handler<void(core::Result<RedisReply>)>;

void Bump(std::atomic<std::uint64_t>& counter) { counter.fetch_add(1, std::memory_order_relaxed); }

}  // namespace

// One TCP connection and its FIFO of commands. Every member below the constructor's is touched
// only on strand_: callers hop onto it (Submit), and socket, timers and the session coroutine all
// use it as their executor. Completions go back to each caller's own executor with net::post, so
// a caller never runs inside the strand (no re-entrancy while the reader walks the FIFO).
class RedisClient::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(const net::any_io_executor& executor, std::shared_ptr<Shared> shared)
      : strand_(net::make_strand(executor)),
        shared_(std::move(shared)),
        options_(shared_->options),
        parser_(options_.max_reply_bytes, options_.max_reply_elements),
        timer_(strand_),
        connect_timer_(strand_),
        backoff_(options_.reconnect_backoff) {}

  // The asynchronous operation behind RedisClient::Command: completes with the reply or error.
  template <class Token>
  static auto AsyncCommand(std::shared_ptr<Connection> conn, std::string bytes,
                           SteadyClock::time_point deadline, Token&& token) {
    return net::async_initiate<Token, void(core::Result<RedisReply>)>(
        [](auto handler, std::shared_ptr<Connection> c, std::string b, SteadyClock::time_point d) {
          // Completion goes to the caller's executor; tracking work keeps its io_context running.
          net::any_io_executor ex = net::prefer(net::get_associated_executor(handler, c->strand_),
                                                net::execution::outstanding_work.tracked);
          c->Submit(std::move(b), d, ReplyHandler(std::move(handler)), std::move(ex));
        },
        token, std::move(conn), std::move(bytes), deadline);
  }

  // Any thread.
  void Shutdown() {
    net::dispatch(strand_, [self = shared_from_this()] {
      self->Reset(State::kClosed);
      self->FailAll("redis client closed");
    });
  }

 private:
  enum class State { kIdle, kConnecting, kConnected, kDown, kClosed };

  struct Slot {
    ReplyHandler handler;  // empty once completed early (timed out): its reply will be skipped
    net::any_io_executor executor;  // the caller's, with outstanding work tracked
    SteadyClock::time_point deadline;
    SteadyClock::time_point enqueued;
  };

  static constexpr auto kNever = SteadyClock::time_point::max();

  // Any thread.
  void Submit(std::string bytes, SteadyClock::time_point deadline, ReplyHandler handler,
              net::any_io_executor executor) {
    net::dispatch(
        strand_, [self = shared_from_this(), bytes = std::move(bytes), deadline,
                  handler = std::move(handler), executor = std::move(executor)]() mutable {
          self->Enqueue(
              bytes, Slot{std::move(handler), std::move(executor), deadline, SteadyClock::now()});
        });
  }

  void Enqueue(const std::string& bytes, Slot slot) {
    if (state_ == State::kClosed) {
      Finish(slot, Error(Code::kUnavailable, "redis client closed"));
      return;
    }
    if (state_ == State::kDown) {
      if (slot.enqueued < down_until_) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(down_until_ - slot.enqueued);
        Finish(slot, Error(Code::kUnavailable, "redis " + Where() + " unreachable (" +
                                                   down_reason_ + "); next attempt in " +
                                                   std::to_string(left.count() + 1) + " ms"));
        return;
      }
      state_ = State::kIdle;
    }
    if (fifo_.size() >= options_.max_in_flight) {
      Finish(slot, Error(Code::kUnavailable, "redis " + Where() + ": " +
                                                 std::to_string(options_.max_in_flight) +
                                                 " commands already in flight"));
      return;
    }
    const SteadyClock::time_point deadline = slot.deadline;
    fifo_.push_back(std::move(slot));
    out_ += bytes;
    if (state_ == State::kIdle) {
      state_ = State::kConnecting;
      net::co_spawn(strand_, Session(shared_from_this(), generation_), net::detached);
    } else {
      MaybeWrite();
    }
    ArmTimer(std::min(deadline, StallAt()));
  }

  // Connects, then reads until the connection fails or is replaced (generation_ moves on).
  static core::Task<void> Session(std::shared_ptr<Connection> self, std::uint64_t gen) {
    Connection& c = *self;
    auto socket = std::make_shared<tcp::socket>(c.strand_);
    c.socket_ = socket;
    c.connect_timer_.expires_after(c.options_.connect_timeout);
    c.connect_timer_.async_wait([self, gen](const boost::system::error_code& ec) {
      if (ec || gen != self->generation_ || self->state_ != State::kConnecting) return;
      self->ConnectFailed("connect timed out after " +
                          std::to_string(self->options_.connect_timeout.count()) + " ms");
    });

    std::vector<tcp::endpoint> endpoints;
    boost::system::error_code address_error;
    const net::ip::address address = net::ip::make_address(c.options_.host, address_error);
    if (!address_error) {
      endpoints.emplace_back(address, c.options_.port);
    } else {
      tcp::resolver resolver(c.strand_);
      auto [rec, results] = co_await resolver.async_resolve(
          c.options_.host, std::to_string(c.options_.port), core::kUseTuple);
      if (gen != c.generation_) co_return;
      if (rec) {
        c.ConnectFailed("resolve: " + rec.message());
        co_return;
      }
      for (const auto& entry : results) endpoints.push_back(entry.endpoint());
    }

    auto [cec, endpoint] = co_await net::async_connect(*socket, endpoints, core::kUseTuple);
    if (gen != c.generation_) co_return;
    if (cec) {
      c.ConnectFailed(cec.message());
      co_return;
    }
    c.Connected(*socket);

    std::vector<char> buffer(16 * 1024);
    for (;;) {
      auto [ec, n] = co_await socket->async_read_some(net::buffer(buffer), core::kUseTuple);
      if (gen != c.generation_) co_return;
      if (ec) {
        c.Drop(ec == net::error::eof ? "closed by redis" : ec.message());
        co_return;
      }
      if (!c.OnBytes(std::string_view(buffer.data(), n))) co_return;
    }
  }

  void Connected(tcp::socket& socket) {
    connect_timer_.cancel();
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    state_ = State::kConnected;
    backoff_ = options_.reconnect_backoff;
    parser_.Reset();
    Bump(shared_->connects);
    MaybeWrite();
    ArmTimer(StallAt());
  }

  // Returns false when the connection was dropped.
  bool OnBytes(std::string_view bytes) {
    parser_.Feed(bytes);
    for (;;) {
      auto next = parser_.Next();
      if (!next) {
        Bump(shared_->protocol_errors);
        Drop(next.error().detail);
        return false;
      }
      if (!next->has_value()) return true;
      if (fifo_.empty()) {
        Bump(shared_->protocol_errors);
        Drop("redis sent a reply no command was waiting for");
        return false;
      }
      Bump(shared_->replies);
      Slot slot = std::move(fifo_.front());
      fifo_.pop_front();
      Finish(slot, std::move(**next));
    }
  }

  // One write at a time; whatever is queued meanwhile goes out as one batch after it.
  void MaybeWrite() {
    if (state_ != State::kConnected || writing_ || out_.empty()) return;
    writing_ = true;
    auto batch = std::make_shared<std::string>(std::move(out_));
    out_.clear();
    net::async_write(*socket_, net::buffer(*batch),
                     [self = shared_from_this(), batch, gen = generation_](
                         const boost::system::error_code& ec, std::size_t /*written*/) {
                       if (gen != self->generation_) return;
                       self->writing_ = false;
                       if (ec) {
                         self->Drop("write: " + ec.message());
                         return;
                       }
                       self->MaybeWrite();
                     });
  }

  // When the oldest command in flight counts as stalled (only on an established connection:
  // before that, the connect timeout rules).
  SteadyClock::time_point StallAt() const {
    if (state_ != State::kConnected || fifo_.empty()) return kNever;
    return fifo_.front().enqueued + options_.stall_timeout;
  }

  // The timer wakes for the earliest deadline or stall. Re-armed only for an earlier time; a
  // wake-up with nothing due just re-arms for what is left.
  void ArmTimer(SteadyClock::time_point at) {
    if (at == kNever || at >= timer_at_) return;
    timer_at_ = at;
    timer_.expires_at(at);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec == net::error::operation_aborted) return;
      self->OnTimer();
    });
  }

  void OnTimer() {
    timer_at_ = kNever;
    const auto now = SteadyClock::now();
    auto next = kNever;
    for (Slot& slot : fifo_) {
      if (!slot.handler) continue;
      if (slot.deadline <= now) {
        Finish(slot, Error(Code::kTimeout, "redis " + Where() + " did not answer in time"));
      } else {
        next = std::min(next, slot.deadline);
      }
    }
    if (StallAt() <= now) {
      Drop("no reply for " + std::to_string(options_.stall_timeout.count()) + " ms");
      return;
    }
    ArmTimer(std::min(next, StallAt()));
  }

  // An established connection is lost: fail what is in flight; the next command reconnects.
  void Drop(const std::string& reason) {
    Bump(shared_->disconnects);
    Reset(State::kIdle);
    FailAll("redis " + Where() + " connection lost: " + reason);
  }

  // A connect failed: fail what is waiting and refuse new commands for the backoff period.
  void ConnectFailed(const std::string& reason) {
    Bump(shared_->connect_failures);
    Reset(State::kDown);
    down_reason_ = reason;
    down_until_ = SteadyClock::now() + backoff_;
    backoff_ = std::min(backoff_ * 2, options_.reconnect_backoff_max);
    FailAll("cannot connect to redis " + Where() + ": " + reason);
  }

  // Abandons the current socket; its pending operations see a new generation and stop.
  void Reset(State next) {
    ++generation_;
    state_ = next;
    writing_ = false;
    out_.clear();
    if (socket_) {
      boost::system::error_code ignored;
      socket_->close(ignored);
      socket_.reset();
    }
    connect_timer_.cancel();
  }

  void FailAll(const std::string& detail) {
    std::deque<Slot> slots;
    slots.swap(fifo_);
    for (Slot& slot : slots) Finish(slot, Error(Code::kUnavailable, detail));
    timer_.cancel();
    timer_at_ = kNever;
  }

  void Finish(Slot& slot, core::Result<RedisReply> result) {
    if (!slot.handler) return;
    if (!result) {
      Bump(result.error().code == Code::kTimeout ? shared_->timeouts : shared_->unavailable);
    }
    net::post(slot.executor,
              [handler = std::move(slot.handler), result = std::move(result)]() mutable {
                std::move(handler)(std::move(result));
              });
    slot.executor = net::any_io_executor();
  }

  std::string Where() const { return options_.host + ":" + std::to_string(options_.port); }

  net::strand<net::any_io_executor> strand_;
  std::shared_ptr<Shared> shared_;
  const RedisClientOptions& options_;  // owned by shared_
  RespParser parser_;
  net::steady_timer timer_;          // command deadlines and stall detection
  net::steady_timer connect_timer_;  // bounds resolve + connect
  State state_ = State::kIdle;
  std::uint64_t generation_ = 0;  // bumped whenever the socket is abandoned
  std::shared_ptr<tcp::socket> socket_;
  std::deque<Slot> fifo_;  // commands written or queued, oldest first: replies match in order
  std::string out_;        // encoded commands not yet handed to a write
  bool writing_ = false;
  SteadyClock::time_point timer_at_ = kNever;
  SteadyClock::time_point down_until_{};
  std::chrono::milliseconds backoff_;
  std::string down_reason_;
};

// ---------------------------------------------------------------------------------------------
// RedisClient

RedisClient::RedisClient(RedisClientOptions options)
    : shared_(std::make_shared<Shared>(std::move(options))) {}

RedisClient::~RedisClient() { Close(); }

const RedisClientOptions& RedisClient::options() const noexcept { return shared_->options; }

std::shared_ptr<RedisClient::Connection> RedisClient::ConnectionFor(
    const net::any_io_executor& executor) {
  net::execution_context& context = net::query(executor, net::execution::context);
  MutexLock lock(mu_);
  if (closed_) return nullptr;
  for (const auto& [key, conn] : connections_) {
    if (key == &context) return conn;
  }
  // The connection's strand wraps the io_context itself, not the caller's executor (which may be
  // some other connection's strand in the shared-io_context model).
  using IoExecutor = net::io_context::executor_type;
  net::any_io_executor base = executor;
  if (const auto* io = executor.target<IoExecutor>()) {
    base = *io;
  } else if (const auto* strand = executor.target<net::strand<IoExecutor>>()) {
    base = strand->get_inner_executor();
  } else if (const auto* any_strand = executor.target<net::strand<net::any_io_executor>>()) {
    base = any_strand->get_inner_executor();
  }
  auto conn = std::make_shared<Connection>(base, shared_);
  connections_.emplace_back(&context, conn);
  return conn;
}

core::Task<core::Result<RedisReply>> RedisClient::Command(std::vector<std::string> args,
                                                          std::chrono::milliseconds timeout) {
  Bump(shared_->commands);
  if (args.empty()) co_return Error(Code::kInvalidArgument, "redis command: no arguments");
  const auto executor = co_await net::this_coro::executor;
  std::shared_ptr<Connection> conn = ConnectionFor(executor);
  if (!conn) {
    Bump(shared_->unavailable);
    co_return Error(Code::kUnavailable, "redis client closed");
  }
  if (timeout.count() <= 0) timeout = shared_->options.command_timeout;
  const auto deadline = SteadyClock::now() + timeout;
  std::string bytes = EncodeCommand(args);
  auto [result] = co_await Connection::AsyncCommand(std::move(conn), std::move(bytes), deadline,
                                                    core::kUseTuple);
  co_return std::move(result);
}

void RedisClient::Close() {
  std::vector<std::pair<const void*, std::shared_ptr<Connection>>> connections;
  {
    MutexLock lock(mu_);
    closed_ = true;
    connections.swap(connections_);
  }
  for (auto& entry : connections) entry.second->Shutdown();
}

RedisClientStats RedisClient::Stats() const {
  const Shared& s = *shared_;
  RedisClientStats out;
  out.commands = s.commands.load(std::memory_order_relaxed);
  out.replies = s.replies.load(std::memory_order_relaxed);
  out.timeouts = s.timeouts.load(std::memory_order_relaxed);
  out.unavailable = s.unavailable.load(std::memory_order_relaxed);
  out.connects = s.connects.load(std::memory_order_relaxed);
  out.connect_failures = s.connect_failures.load(std::memory_order_relaxed);
  out.disconnects = s.disconnects.load(std::memory_order_relaxed);
  out.protocol_errors = s.protocol_errors.load(std::memory_order_relaxed);
  return out;
}

std::size_t RedisClient::connections() const {
  MutexLock lock(mu_);
  return connections_.size();
}

}  // namespace core
