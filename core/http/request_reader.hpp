// Turns the bytes of one connection into requests: Beast's parser fed from our own buffer, with the
// server's limits applied. Transport-free (no sockets), so it is unit-tested and fuzzed directly;
// the connection only moves bytes in and requests out.
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <optional>

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

  explicit RequestReader(const ServerOptions& options);

  // Space for the next read (never more than the remaining buffer budget; empty if none).
  net::mutable_buffer Prepare();
  void Commit(std::size_t n) { buffer_.commit(n); }

  // Consumes buffered bytes until a request is complete, more bytes are needed, or an error.
  Status Parse();
  // The completed request; the reader is ready for the next one (pipelined bytes stay buffered).
  Request Take();
  // Why Parse said kError: kInvalidArgument (400), kHeadersTooLarge (431), kPayloadTooLarge (413).
  const Error& error() const { return error_; }

  std::size_t buffered() const { return buffer_.size(); }
  // True once any byte of the current request has arrived (the header deadline runs from here).
  bool started() const { return buffer_.size() > 0 || parser_->got_some(); }
  bool header_done() const { return parser_->is_header_done(); }
  // The header asks for `100 Continue` before the body is sent.
  bool expects_continue() const;

 private:
  void Reset();

  const ServerOptions& options_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Error error_;
};

}  // namespace core
