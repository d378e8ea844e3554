// Turns the bytes of one connection into requests: Beast's parser fed from our own buffer, with the
// server's limits applied. Transport-free (no sockets), so it is unit-tested and fuzzed directly;
// the connection only moves bytes in and requests out.
//
// On top of Beast, the framing rules of RFC 9112 that decide where one request ends and the next
// begins — the ones request smuggling lives on — are enforced here before any handler runs: a
// Transfer-Encoding whose final coding is not chunked (400, then close), one on HTTP/1.0 (400),
// codings we cannot decode (501); exactly one Host on HTTP/1.1 (400); absolute-form targets routed
// by their path, asterisk-form only for OPTIONS; a request line or chunk framing that can never
// become valid answered at once (400) instead of after a timeout; the header limit counted over
// every read of the header; and every body held against the server-wide byte budget (503 when
// it is spent).
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <functional>
#include <optional>
#include <string>

#include "core/base/byte_budget.hpp"
#include "core/base/error.hpp"
#include "core/http/http_types.hpp"
#include "core/http/server_options.hpp"

namespace core {

class RequestReader {
 public:
  enum class Status {
    kNeedMore,  // read more bytes into Prepare() and call Parse again
    kRequest,   // a complete request is ready: Take() it
    kError,     // the input is unacceptable: answer error() and close
  };

  // `body_budget` (may be null) bounds the body bytes of all connections together.
  explicit RequestReader(const ServerOptions& options, ByteBudget* body_budget = nullptr);

  // Space for the next read (never more than the remaining buffer budget; empty if none).
  net::mutable_buffer Prepare();
  void Commit(std::size_t n) { buffer_.commit(n); }

  // Consumes buffered bytes until a request is complete, more bytes are needed, or an error.
  Status Parse();
  // The completed request; the reader is ready for the next one (pipelined bytes stay buffered).
  Request Take();
  // Why Parse said kError: kInvalidArgument (400), kHeadersTooLarge (431), kPayloadTooLarge (413),
  // kUnavailable (503: the body budget is spent), kNotImplemented (501: a transfer coding).
  const Error& error() const { return error_; }
  // The budget the last taken request's body holds; keep it until the request is answered.
  ByteBudget::Lease TakeLease() { return std::move(done_lease_); }

  std::size_t buffered() const { return buffer_.size(); }
  // True once any byte of the current request has arrived (the header deadline runs from here).
  bool started() const { return buffer_.size() > 0 || parser_->got_some(); }
  bool header_done() const { return parser_->is_header_done(); }
  // The header asks for `100 Continue` before the body is sent.
  bool expects_continue() const;

 private:
  void Reset();
  Status Fail(Code code, std::string detail);
  // RFC 9112 checks once the header is complete; false (error_ set) when the request is refused.
  bool CheckHeader();
  // A request line that Beast would wait on forever (no version, stray spaces): false if bad.
  bool RequestLineCanBeValid() const;
  // Inside a chunked body, between chunks: a bare LF can never become a CRLF.
  bool ChunkFramingCanBeValid() const;

  const ServerOptions& options_;
  ByteBudget* body_budget_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Error error_;
  ByteBudget::Lease lease_;       // the request being read
  ByteBudget::Lease done_lease_;  // the request last taken, until TakeLease
  std::size_t header_bytes_ = 0;  // bytes of the current header the parser has consumed
  bool header_checked_ = false;
  bool budget_spent_ = false;          // the body callback could not cover the body
  std::uint64_t chunk_remaining_ = 0;  // data bytes left in the current chunk
  // Beast keeps references to these (set on every new parser).
  std::function<void(std::uint64_t, std::string_view, beast::error_code&)> on_chunk_header_;
  std::function<std::size_t(std::uint64_t, std::string_view, beast::error_code&)> on_chunk_body_;
};

}  // namespace core
