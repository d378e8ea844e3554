#include "core/http/connection.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <charconv>

#include "core/base/log.hpp"
#include "core/http/http_date.hpp"
#include "core/http/problem.hpp"

namespace core {
namespace {

constexpr std::size_t kFlushBytes = 64 * 1024;  // pipelined responses batched up to this much
constexpr auto kHandlerGuard = std::chrono::seconds(60);  // watchdog nap while a handler runs
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = 1024 * 1024;

bool HasNoBody(unsigned status) {
  return (status >= 100 && status < 200) || status == 204 || status == 304;
}

void AppendLine(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

void AppendNumber(std::string& out, std::size_t n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, end);
}

// Serializes `res` as HTTP/1.1 into `out`. Content-Length, Connection, Server and Date are ours to
// set; a HEAD answer carries the GET answer's length and no body.
void AppendResponse(std::string& out, const Response& res, bool head, bool keep_alive, bool http10,
                    std::string_view server_name) {
  const unsigned status = res.result_int();
  out.append("HTTP/1.1 ");
  AppendNumber(out, status);
  out.push_back(' ');
  std::string_view reason = res.reason();
  if (reason.empty()) reason = http::obsolete_reason(res.result());
  out.append(reason);
  out.append("\r\n");
  if (res.find(http::field::server) == res.end()) AppendLine(out, "Server", server_name);
  if (res.find(http::field::date) == res.end()) AppendLine(out, "Date", HttpDate());
  for (const auto& f : res) {
    const auto name = f.name();
    if (name == http::field::content_length || name == http::field::connection ||
        name == http::field::transfer_encoding) {
      continue;
    }
    AppendLine(out, f.name_string(), f.value());
  }
  const bool no_body = HasNoBody(status);
  if (!no_body) {
    out.append("Content-Length: ");
    AppendNumber(out, res.body().size());
    out.append("\r\n");
  }
  if (!keep_alive) {
    out.append("Connection: close\r\n");
  } else if (http10) {
    out.append("Connection: keep-alive\r\n");
  }
  out.append("\r\n");
  if (!head && !no_body) out.append(res.body());
}

}  // namespace

Connection::Connection(tcp::socket socket, std::shared_ptr<Server::State> state)
    : socket_(std::move(socket)),
      state_(std::move(state)),
      options_(state_->options),
      reader_(options_),
      watchdog_(socket_.get_executor()) {
  beast::error_code ec;
  auto ep = socket_.remote_endpoint(ec);
  if (!ec) {
    peer_address_ = ep.address();
    peer_port_ = ep.port();
  }
  socket_.set_option(tcp::no_delay(true), ec);
  // Writes are first tried in place (see Flush); only a full socket buffer takes the async path.
  socket_.non_blocking(true, ec);
}

Connection::~Connection() {
  {
    std::lock_guard lock(state_->mu);
    state_->connections.erase(id_);
  }
  const bool last = state_->active.fetch_sub(1, std::memory_order_acq_rel) == 1;
  if (!last || !state_->draining.load()) return;
  std::function<void()> drained;
  {
    std::lock_guard lock(state_->mu);
    drained = state_->on_drained;
  }
  if (drained) drained();
}

void Connection::Start() {
  {
    std::lock_guard lock(state_->mu);
    id_ = ++state_->next_id;
    state_->connections.emplace(id_, weak_from_this());
  }
  draining_ = state_->draining.load();
  SetPhase(Phase::kIdle);
  armed_ = deadline_;
  auto executor = socket_.get_executor();
  net::co_spawn(executor, Serve(shared_from_this()), net::detached);
  net::co_spawn(executor, Watchdog(shared_from_this()), net::detached);
}

void Connection::Drain() {
  net::post(socket_.get_executor(), [self = shared_from_this()] {
    self->draining_ = true;
    self->watchdog_.cancel();  // wakes the watchdog, which closes an idle connection
  });
}

void Connection::SetPhase(Phase phase) {
  const auto now = Clock::now();
  if (phase != phase_) phase_start_ = now;
  phase_ = phase;
  timed_out_ = false;
  switch (phase) {
    case Phase::kIdle:
      deadline_ = now + options_.idle_timeout;
      break;
    case Phase::kHeader:
      deadline_ = phase_start_ + options_.header_timeout;
      break;
    case Phase::kBody:
      deadline_ = phase_start_ + options_.body_timeout;
      break;
    case Phase::kHandling:
      deadline_ = now + kHandlerGuard;
      break;
    case Phase::kWriting:
      deadline_ = now + options_.write_timeout;
      break;
    case Phase::kLinger:
      deadline_ = now + kLingerTime;
      break;
    case Phase::kClosed:
      deadline_ = now;
      break;
  }
  // Later deadlines are picked up when the watchdog wakes; only an earlier one must wake it now.
  if (deadline_ < armed_) watchdog_.cancel();
}

Task<void> Connection::Watchdog(std::shared_ptr<Connection> self) {
  Connection& c = *self;
  while (c.phase_ != Phase::kClosed) {
    c.armed_ = c.deadline_;
    c.watchdog_.expires_at(c.armed_);
    // Expired or cancelled (a nearer deadline, a drain, or close): either way, re-check below.
    co_await c.watchdog_.async_wait(kUseTuple);
    if (c.phase_ == Phase::kClosed) break;
    const auto now = Clock::now();
    beast::error_code ignored;
    if (c.draining_ && c.phase_ == Phase::kIdle) {
      c.socket_.cancel(ignored);  // Serve sees the abort, notices draining, and closes
      c.deadline_ = now + std::chrono::seconds(1);
      continue;
    }
    if (now < c.deadline_) continue;  // the deadline moved while we slept
    if (c.phase_ == Phase::kHandling) {
      // Handlers own their deadlines (they may wait on other services); just check again later.
      c.deadline_ = now + kHandlerGuard;
      continue;
    }
    c.timed_out_ = true;
    c.socket_.cancel(ignored);
    c.deadline_ = now + std::chrono::seconds(1);  // Serve closes promptly; don't spin meanwhile
  }
}

void Connection::AppendError(const Error& error) {
  Response res;
  SetProblem(res, error, "", "");
  state_->pipeline.NotifyRejection(res, peer_address_);
  AppendResponse(out_, res, false, false, false, options_.server_name);
  close_after_write_ = true;
}

Task<void> Connection::Handle() {
  Request req = reader_.Take();
  sent_continue_ = false;
  const bool head = req.method() == http::verb::head;
  bool keep_alive = req.keep_alive();
  const bool http10 = req.version() == 10;
  SetPhase(Phase::kHandling);

  Exchange ex(req, peer_address_, peer_port_);
  bool threw = false;
  try {
    co_await state_->pipeline.Run(ex);
  } catch (const std::exception& e) {
    log::Error("handler threw", {{"error", e.what()}, {"route", ex.route}});
    threw = true;
  } catch (...) {
    log::Error("handler threw a non-exception", {{"route", ex.route}});
    threw = true;
  }
  if (threw) {
    ex.response = Response{};
    ex.Fail(Error(Code::kInternal, "the server hit an unexpected error"));
  }
  if (draining_ || !ex.response.keep_alive()) keep_alive = false;
  AppendResponse(out_, ex.response, head, keep_alive, http10, options_.server_name);
  if (!keep_alive) close_after_write_ = true;
}

Task<bool> Connection::Flush() {
  if (out_.empty()) co_return true;
  // Most responses fit the socket buffer: write in place and skip the async machinery entirely.
  beast::error_code ec;
  std::size_t n = socket_.write_some(net::buffer(out_), ec);
  if (!ec && n == out_.size()) {
    out_.clear();
    co_return true;
  }
  if (ec && ec != net::error::would_block && ec != net::error::try_again) co_return false;
  if (ec) n = 0;
  SetPhase(Phase::kWriting);
  auto [wec, written] =
      co_await net::async_write(socket_, net::buffer(out_.data() + n, out_.size() - n), kUseTuple);
  out_.clear();
  co_return !wec;
}

Task<bool> Connection::ReadMore() {
  if (reader_.header_done()) {
    SetPhase(Phase::kBody);
    if (!sent_continue_ && reader_.expects_continue()) {
      sent_continue_ = true;  // the client waits for this before sending a large body
      out_.append("HTTP/1.1 100 Continue\r\n\r\n");
      bool ok = co_await Flush();
      if (!ok) co_return false;
      SetPhase(Phase::kBody);
    }
  } else if (reader_.started()) {
    SetPhase(Phase::kHeader);
  } else {
    SetPhase(Phase::kIdle);
  }
  auto [ec, n] = co_await socket_.async_read_some(reader_.Prepare(), kUseTuple);
  if (!ec) {
    reader_.Commit(n);
    co_return true;
  }
  if (timed_out_ && (phase_ == Phase::kHeader || phase_ == Phase::kBody)) {
    AppendError(Error(Code::kRequestTimeout, "the request was not received in time"));
    co_await Flush();
  }
  co_return false;
}

Task<void> Connection::Linger() {
  // Closing with unread input makes the kernel send RST, which can destroy the error response we
  // just wrote before the client reads it. Half-close, then drain briefly (nginx's lingering
  // close).
  beast::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  if (ec) co_return;
  SetPhase(Phase::kLinger);
  std::size_t drained = 0;
  char sink[4096];
  while (drained < kLingerBytes) {
    auto [rec, n] = co_await socket_.async_read_some(net::buffer(sink), kUseTuple);
    if (rec) break;
    drained += n;
  }
}

void Connection::Close() {
  phase_ = Phase::kClosed;
  watchdog_.cancel();
  beast::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
}

Task<void> Connection::Serve(std::shared_ptr<Connection> self) {
  Connection& c = *self;
  bool linger = false;
  try {
    for (;;) {
      const auto parsed = c.reader_.Parse();
      if (parsed == RequestReader::Status::kRequest) {
        co_await c.Handle();
        const bool flush =
            c.close_after_write_ || c.reader_.buffered() == 0 || c.out_.size() >= kFlushBytes;
        if (!flush) continue;  // more pipelined requests are buffered: answer them in one write
        bool ok = co_await c.Flush();
        if (!ok || c.close_after_write_) break;
        continue;
      }
      if (parsed == RequestReader::Status::kError) {
        c.AppendError(c.reader_.error());
        bool ok = co_await c.Flush();
        linger = ok;
        break;
      }
      if (!c.out_.empty()) {  // responses not yet written (pipelined batch): before blocking
        bool ok = co_await c.Flush();
        if (!ok) break;
      }
      if (c.draining_ && !c.reader_.started()) break;
      bool ok = co_await c.ReadMore();
      if (!ok) break;
    }
    if (linger) co_await c.Linger();
  } catch (const std::exception& e) {
    log::Error("connection failed", {{"error", e.what()}});
  }
  c.Close();
}

}  // namespace core
