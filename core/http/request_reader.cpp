#include "core/http/request_reader.hpp"

#include <boost/beast/core/string.hpp>
#include <string>

namespace core {
namespace {
constexpr std::size_t kReadChunk = 16 * 1024;
}  // namespace

RequestReader::RequestReader(const ServerOptions& options)
    // Body bytes are moved into the request as they arrive, so the buffer only ever has to hold one
    // header (plus the read that completed it): header limit + one chunk bounds it.
    : options_(options), buffer_(options.max_header_bytes + kReadChunk) {
  Reset();
}

void RequestReader::Reset() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
  parser_->body_limit(options_.max_body_bytes);
  parser_->eager(true);
}

net::mutable_buffer RequestReader::Prepare() {
  const std::size_t room = std::min(kReadChunk, buffer_.max_size() - buffer_.size());
  if (room == 0) return {};
  return buffer_.prepare(room);
}

RequestReader::Status RequestReader::Parse() {
  while (buffer_.size() > 0 && !parser_->is_done()) {
    beast::error_code ec;
    const std::size_t n = parser_->put(buffer_.data(), ec);
    buffer_.consume(n);
    if (ec == http::error::need_more) break;
    if (ec == http::error::header_limit) {
      error_ =
          Error(Code::kHeadersTooLarge, "the request line and headers exceed " +
                                            std::to_string(options_.max_header_bytes) + " bytes");
      return Status::kError;
    }
    if (ec == http::error::body_limit) {
      error_ = Error(Code::kPayloadTooLarge,
                     "the body exceeds " + std::to_string(options_.max_body_bytes) + " bytes");
      return Status::kError;
    }
    if (ec) {
      error_ = Error(Code::kInvalidArgument, "malformed HTTP request: " + ec.message());
      return Status::kError;
    }
    if (n == 0) break;
  }
  if (parser_->is_done()) return Status::kRequest;
  if (buffer_.size() == buffer_.max_size()) {
    // Headers hit header_limit before this; only an endless chunk-size line gets here.
    error_ = Error(Code::kInvalidArgument, "a chunk header is too long");
    return Status::kError;
  }
  return Status::kNeedMore;
}

Request RequestReader::Take() {
  Request req = parser_->release();
  Reset();
  return req;
}

bool RequestReader::expects_continue() const {
  return parser_->is_header_done() &&
         beast::iequals(parser_->get()[http::field::expect], "100-continue");
}

}  // namespace core
