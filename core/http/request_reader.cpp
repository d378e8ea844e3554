#include "core/http/request_reader.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/url/parse.hpp>
#include <cstring>
#include <string>

namespace core {
namespace {

constexpr std::size_t kReadChunk = 16 * 1024;

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

RequestReader::RequestReader(const ServerOptions& options, ByteBudget* body_budget)
    // Body bytes are moved into the request as they arrive, so the buffer only ever has to hold one
    // header (plus the read that completed it): header limit + one chunk bounds it.
    : options_(options), body_budget_(body_budget), buffer_(options.max_header_bytes + kReadChunk) {
  on_chunk_header_ = [this](std::uint64_t size, std::string_view, beast::error_code&) {
    chunk_remaining_ = size;
  };
  // Chunk data goes into the body here (instead of Beast doing it) so the budget sees it grow.
  on_chunk_body_ = [this](std::uint64_t remain, std::string_view data, beast::error_code& ec) {
    std::string& body = parser_->get().body();
    if (!lease_.Cover(body.size() + data.size())) {
      budget_spent_ = true;
      ec = http::error::body_limit;  // stops the parser; Parse reports the budget, not the limit
      return std::size_t{0};
    }
    body.append(data);
    chunk_remaining_ = remain - data.size();
    return data.size();
  };
  Reset();
}

void RequestReader::Reset() {
  parser_.emplace();
  // Our own count (header_bytes_) enforces the limit across reads; Beast's is a backstop.
  parser_->header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
  parser_->body_limit(options_.max_body_bytes);
  parser_->eager(true);
  parser_->on_chunk_header(on_chunk_header_);
  parser_->on_chunk_body(on_chunk_body_);
  lease_ = ByteBudget::Lease(body_budget_);
  header_bytes_ = 0;
  header_checked_ = false;
  budget_spent_ = false;
  chunk_remaining_ = 0;
}

net::mutable_buffer RequestReader::Prepare() {
  const std::size_t room = std::min(kReadChunk, buffer_.max_size() - buffer_.size());
  if (room == 0) return {};
  return buffer_.prepare(room);
}

RequestReader::Status RequestReader::Fail(Code code, std::string detail) {
  error_ = Error(code, std::move(detail));
  return Status::kError;
}

RequestReader::Status RequestReader::Parse() {
  while (buffer_.size() > 0 && !parser_->is_done()) {
    const bool in_header = !parser_->is_header_done();
    net::const_buffer data = buffer_.data();
    if (in_header) {
      // Never show the parser more header than the limit allows, whatever the reads looked like:
      // Beast's own header_limit only sees one put() at a time.
      const std::size_t allowance =
          options_.max_header_bytes > header_bytes_ ? options_.max_header_bytes - header_bytes_ : 0;
      data = net::const_buffer(data.data(), std::min(data.size(), allowance));
    }
    beast::error_code ec;
    const std::size_t n = parser_->put(data, ec);
    buffer_.consume(n);
    if (in_header) header_bytes_ += n;
    if (parser_->is_header_done() && !header_checked_) {
      header_checked_ = true;
      if (!CheckHeader()) return Status::kError;
    }
    if (budget_spent_) {
      return Fail(Code::kUnavailable,
                  "the server is receiving too many request bodies at once; retry shortly");
    }
    if (ec == http::error::need_more) break;
    if (ec == http::error::header_limit) {
      return Fail(Code::kHeadersTooLarge, "the request line and headers exceed " +
                                              std::to_string(options_.max_header_bytes) + " bytes");
    }
    if (ec == http::error::body_limit) {
      return Fail(Code::kPayloadTooLarge,
                  "the body exceeds " + std::to_string(options_.max_body_bytes) + " bytes");
    }
    if (ec) return Fail(Code::kInvalidArgument, "malformed HTTP request: " + ec.message());
    if (n == 0) break;
  }
  if (parser_->is_done()) return Status::kRequest;
  if (!parser_->is_header_done()) {
    if (header_bytes_ + buffer_.size() >= options_.max_header_bytes) {
      return Fail(Code::kHeadersTooLarge, "the request line and headers exceed " +
                                              std::to_string(options_.max_header_bytes) + " bytes");
    }
    if (!RequestLineCanBeValid()) {
      return Fail(Code::kInvalidArgument, "malformed HTTP request: bad request line");
    }
  } else if (parser_->chunked() && !ChunkFramingCanBeValid()) {
    return Fail(Code::kInvalidArgument, "malformed HTTP request: chunk lines must end in CRLF");
  }
  if (buffer_.size() == buffer_.max_size()) {
    // Headers hit the header limit before this; only an endless chunk-size line gets here.
    return Fail(Code::kInvalidArgument, "a chunk header is too long");
  }
  return Status::kNeedMore;
}

bool RequestReader::RequestLineCanBeValid() const {
  if (header_bytes_ > 0) return true;  // Beast accepted the request line already
  std::string_view text(static_cast<const char*>(buffer_.data().data()), buffer_.size());
  while (text.starts_with("\r\n")) text.remove_prefix(2);  // RFC 9112 §2.2: leading empty lines
  const auto eol = text.find('\n');
  if (eol == std::string_view::npos) return true;  // not all here yet
  std::string_view line = text.substr(0, eol);
  if (!line.ends_with('\r')) return false;
  line.remove_suffix(1);
  // method SP request-target SP HTTP-version: exactly two spaces, three non-empty parts.
  const auto sp1 = line.find(' ');
  const auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp1 == 0 || sp2 == std::string_view::npos || sp2 == sp1 + 1) return false;
  if (line.find(' ', sp2 + 1) != std::string_view::npos) return false;
  const std::string_view version = line.substr(sp2 + 1);
  return version.size() == 8 && version.starts_with("HTTP/") && IsDigit(version[5]) &&
         version[6] == '.' && IsDigit(version[7]);
}

bool RequestReader::ChunkFramingCanBeValid() const {
  if (chunk_remaining_ > 0) return true;  // inside chunk data: any byte goes
  const auto* p = static_cast<const char*>(buffer_.data().data());
  // Between chunks the parser waits for a line (chunk size, the CRLF after data, a trailer); it
  // only ever consumes whole lines, so a LF not preceded by CR here never becomes valid.
  const void* lf = std::memchr(p, '\n', buffer_.size());
  if (lf == nullptr) return true;
  const auto i = static_cast<std::size_t>(static_cast<const char*>(lf) - p);
  return i > 0 && p[i - 1] == '\r';
}

bool RequestReader::CheckHeader() {
  Request& req = parser_->get();
  const bool http11 = req.version() == 11;

  // Host: exactly one on HTTP/1.1 (RFC 9112 §3.2), at most one otherwise.
  const auto [host_first, host_last] = req.equal_range(http::field::host);
  const auto hosts = std::distance(host_first, host_last);
  if ((http11 && hosts != 1) || hosts > 1) {
    Fail(Code::kInvalidArgument, http11 ? "an HTTP/1.1 request needs exactly one Host header"
                                        : "more than one Host header");
    return false;
  }

  // Transfer-Encoding (RFC 9112 §6.1, §6.3): only chunked as the final coding frames a request;
  // anything else leaves its length unknowable, and guessing is how requests are smuggled.
  const auto [te_first, te_last] = req.equal_range(http::field::transfer_encoding);
  if (te_first != te_last) {
    if (!http11) {
      Fail(Code::kInvalidArgument, "Transfer-Encoding is not allowed on an HTTP/1.0 request");
      return false;
    }
    std::vector<std::string_view> codings;
    for (auto it = te_first; it != te_last; ++it) {
      std::string_view list = it->value();
      while (!list.empty()) {
        const auto comma = list.find(',');
        const std::string_view coding = TrimOws(list.substr(0, comma));
        if (!coding.empty()) codings.push_back(coding);
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
      }
    }
    if (codings.empty() || !beast::iequals(codings.back(), "chunked")) {
      Fail(Code::kInvalidArgument, "Transfer-Encoding must end with chunked");
      return false;
    }
    for (std::size_t i = 0; i + 1 < codings.size(); ++i) {
      if (beast::iequals(codings[i], "chunked")) {
        Fail(Code::kInvalidArgument, "chunked may be applied only once");
        return false;
      }
      Fail(Code::kNotImplemented,
           "transfer coding '" + std::string(codings[i].substr(0, 64)) + "' is not supported");
      return false;
    }
  }

  // Request-target forms (RFC 9112 §3.2): origin-form is the norm; absolute-form is routed by its
  // path, with the Host taken from it (§3.2.2); asterisk-form exists for OPTIONS only.
  const std::string_view target = req.target();
  if (target.empty() || target.front() != '/') {
    if (target == "*") {
      if (req.method() != http::verb::options) {
        Fail(Code::kInvalidArgument, "the request-target '*' is for OPTIONS only");
        return false;
      }
    } else {
      auto url = boost::urls::parse_absolute_uri(target);
      if (!url || !url->has_authority() || url->encoded_host().empty() ||
          !(beast::iequals(url->scheme(), "http") || beast::iequals(url->scheme(), "https"))) {
        Fail(Code::kInvalidArgument, "the request-target must be a path or an http(s) URL");
        return false;
      }
      std::string origin(url->encoded_path());
      if (origin.empty()) origin.push_back('/');
      if (url->has_query()) origin.append("?").append(url->encoded_query());
      req.set(http::field::host, url->encoded_host_and_port());
      req.target(origin);
    }
  }

  // The body's share of the server-wide budget: all of it up front when its length is declared
  // (a chunked body is covered as it arrives, in on_chunk_body_).
  if (const auto length = parser_->content_length(); length && !lease_.Cover(*length)) {
    Fail(Code::kUnavailable,
         "the server is receiving too many request bodies at once; retry shortly");
    return false;
  }
  return true;
}

Request RequestReader::Take() {
  Request req = parser_->release();
  done_lease_ = std::move(lease_);  // the next request starts with a fresh lease (Reset)
  Reset();
  return req;
}

bool RequestReader::expects_continue() const {
  return parser_->is_header_done() &&
         beast::iequals(parser_->get()[http::field::expect], "100-continue");
}

}  // namespace core
