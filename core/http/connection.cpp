#include "core/http/connection.hpp"

#include <boost/beast/core/string.hpp>

#include "core/base/decimal.hpp"
#include "core/base/log.hpp"
#include "core/http/http_date.hpp"
#include "core/http/problem.hpp"

namespace core {
namespace {

constexpr std::size_t kFlushBytes = 64 * 1024;  // pipelined responses batched up to this much
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

// Serializes `res` as HTTP/1.1 into `out`. Content-Length, Connection, Server and Date are ours to
// set; a HEAD answer carries the GET answer's length and no body.
void AppendResponse(std::string& out, const Response& res, bool head, bool keep_alive, bool http10,
                    std::string_view server_name) {
  const unsigned status = res.result_int();
  out.append("HTTP/1.1 ");
  core::AppendDecimal(out, status);
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
    core::AppendDecimal(out, res.body().size());
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

HttpConnection::HttpConnection(tcp::socket socket, const ServerOptions& options,
                               const Pipeline& pipeline, ByteBudget& body_budget)
    : TcpConnection(std::move(socket)),
      options_(options),
      pipeline_(pipeline),
      reader_(options, &body_budget) {}

void HttpConnection::EnterIdle() {
  reading_body_ = false;
  reading_since_ = {};
  SetPhase(Phase::kIdle, Clock::now() + options_.idle_timeout);
}

// The header deadline runs from the request's first byte and the body's from the end of the
// headers, so a client trickling bytes cannot extend either.
void HttpConnection::EnterReading(bool body) {
  if (phase() != Phase::kReading || reading_body_ != body) {
    reading_body_ = body;
    reading_since_ = Clock::now();
  }
  SetPhase(Phase::kReading,
           reading_since_ + (body ? options_.body_timeout : options_.header_timeout));
}

void HttpConnection::AppendError(const Error& error) {
  Response res;
  SetProblem(res, error, "", "");
  pipeline_.NotifyRejection(res, peer_address());
  AppendResponse(out_, res, false, false, false, options_.server_name);
  close_after_write_ = true;
}

Task<void> HttpConnection::Handle() {
  Request req = reader_.Take();
  // The body's share of the server-wide budget is given back once the response is built.
  const ByteBudget::Lease body_lease = reader_.TakeLease();
  sent_continue_ = false;
  const bool head = req.method() == http::verb::head;
  bool keep_alive = req.keep_alive();
  const bool http10 = req.version() == 10;
  SetPhase(Phase::kBusy, Clock::now() + std::chrono::seconds(60));

  Exchange ex(req, peer_address(), peer_port());
  bool threw = false;
  try {
    co_await pipeline_.Run(ex);
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
  if (closing_soon() || !ex.response.keep_alive()) keep_alive = false;
  AppendResponse(out_, ex.response, head, keep_alive, http10, options_.server_name);
  if (!keep_alive) close_after_write_ = true;
}

Task<bool> HttpConnection::Write() {
  bool ok = co_await Flush(out_, Clock::now() + options_.write_timeout);
  co_return ok;
}

Task<bool> HttpConnection::ReadMore() {
  if (reader_.header_done()) {
    EnterReading(/*body=*/true);
    if (!sent_continue_ && reader_.expects_continue()) {
      sent_continue_ = true;  // the client waits for this before sending a large body
      out_.append("HTTP/1.1 100 Continue\r\n\r\n");
      bool ok = co_await Write();
      if (!ok) co_return false;
      EnterReading(/*body=*/true);
    }
  } else if (reader_.started()) {
    EnterReading(/*body=*/false);
  } else {
    EnterIdle();
  }
  auto [ec, n] = co_await socket().async_read_some(reader_.Prepare(), kUseTuple);
  if (!ec) {
    reader_.Commit(n);
    co_return true;
  }
  if (timed_out() && phase() == Phase::kReading) {
    AppendError(Error(Code::kRequestTimeout, "the request was not received in time"));
    co_await Write();
  }
  co_return false;
}

Task<void> HttpConnection::Serve() {
  bool linger = false;
  for (;;) {
    const auto parsed = reader_.Parse();
    if (parsed == RequestReader::Status::kRequest) {
      co_await Handle();
      const bool flush =
          close_after_write_ || reader_.buffered() == 0 || out_.size() >= kFlushBytes;
      if (!flush) continue;  // more pipelined requests are buffered: answer them in one write
      if (!close_after_write_ && reader_.buffered() == 0) MarkReusable();
      bool ok = co_await Write();
      if (!ok || close_after_write_) break;
      continue;
    }
    if (parsed == RequestReader::Status::kError) {
      AppendError(reader_.error());
      bool ok = co_await Write();
      linger = ok;
      break;
    }
    if (!out_.empty()) {  // responses not yet written (pipelined batch): before blocking
      bool ok = co_await Write();
      if (!ok) break;
    }
    if (closing_soon() && !reader_.started()) break;
    bool ok = co_await ReadMore();
    if (!ok) break;
  }
  if (linger) co_await Linger(kLingerTime, kLingerBytes);
}

}  // namespace core
