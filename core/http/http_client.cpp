#include "core/http/http_client.hpp"

#include <sys/socket.h>
#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <charconv>
#include <deque>
#include <map>
#include <optional>
#include <tuple>

#include "core/base/mutex.hpp"

namespace core {

using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

Result<std::pair<Upstream, std::string>> ParseHttpUrl(std::string_view url) {
  auto fail = [&](std::string_view why) {
    std::string detail(why);
    detail.append(": ");
    detail.append(url.substr(0, 256));
    return Error(Code::kInvalidArgument, std::move(detail));
  };
  auto u = boost::urls::parse_uri(url);
  if (!u) return fail("not a valid URL");
  if (u->scheme() != "http") return fail("only http:// URLs are supported");
  if (u->has_userinfo()) return fail("credentials in a URL are not supported");
  Upstream up;
  switch (u->host_type()) {
    case boost::urls::host_type::ipv4:
      up.host = std::string(u->encoded_host());
      break;
    case boost::urls::host_type::ipv6:
      up.host = std::string(u->encoded_host_address());
      break;
    case boost::urls::host_type::name: {
      // The host as written, never decoded: "127.0.0.1%2elocalhost" must not become a different
      // name than the one that was checked. Letters, digits, '-' and '.' only (RFC 1123).
      const std::string_view host = u->encoded_host();
      const bool plain = !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
      });
      if (!plain) return fail("the host must be a plain name or address");
      up.host = std::string(host);
      break;
    }
    default:
      return fail("URL has no usable host");
  }
  if (u->has_port()) {
    // Boost.URL's port_number() is 16 bits: ":84666" would wrap to another port. Parse the text.
    const std::string_view text = u->port();
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || port == 0 ||
        port > 65535) {
      return fail("the port must be 1..65535");
    }
    up.port = static_cast<std::uint16_t>(port);
  }
  std::string target(u->encoded_path());
  // Boost.URL 1.81 reads "http://127.0.0.1%2elocalhost/" as host 127.0.0.1 and path
  // "%2elocalhost/"; after an authority the path must start with '/' (RFC 3986 path-abempty).
  if (!target.empty() && target.front() != '/')
    return fail("the host must be a plain name or address");
  if (target.empty()) target = "/";
  if (u->has_query()) target += "?" + std::string(u->encoded_query());
  return std::pair{std::move(up), std::move(target)};
}

// Idle keep-alive connections, keyed by the io_context they belong to and the upstream.
class HttpClient::Pool {
 public:
  struct Idle {
    beast::tcp_stream stream;
    Clock::time_point since;
  };
  using Key = std::tuple<const void*, std::string, std::uint16_t>;

  explicit Pool(const ClientOptions& o) : options_(o) {}

  std::optional<beast::tcp_stream> Take(const Key& key) {
    MutexLock lock(mu_);
    auto it = idle_.find(key);
    if (it == idle_.end()) return std::nullopt;
    auto& list = it->second;
    while (!list.empty()) {
      Idle idle = std::move(list.back());
      list.pop_back();
      if (Clock::now() - idle.since > options_.idle_timeout || !StillOpen(idle.stream)) continue;
      return std::move(idle.stream);
    }
    return std::nullopt;
  }

  void Put(const Key& key, beast::tcp_stream stream) {
    MutexLock lock(mu_);
    auto& list = idle_[key];
    if (list.size() >= options_.max_idle_per_upstream) return;  // closes the stream
    list.push_back({std::move(stream), Clock::now()});
  }

  void Clear() {
    MutexLock lock(mu_);
    idle_.clear();
  }

  std::size_t Size() const {
    MutexLock lock(mu_);
    std::size_t n = 0;
    for (const auto& [k, v] : idle_) n += v.size();
    return n;
  }

 private:
  // An idle HTTP connection has nothing to read: EOF or stray bytes mean it is unusable.
  static bool StillOpen(beast::tcp_stream& stream) {
    char byte;
    auto fd = stream.socket().native_handle();
    ssize_t n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }

  const ClientOptions& options_;
  mutable Mutex mu_;
  std::map<Key, std::deque<Idle>> idle_ SD_GUARDED_BY(mu_);
};

HttpClient::HttpClient(ClientOptions options)
    : options_(options), pool_(std::make_unique<Pool>(options_)) {}

HttpClient::~HttpClient() = default;

void HttpClient::AddOutboundHook(OutboundHook hook) { hooks_.push_back(std::move(hook)); }

void HttpClient::CloseIdle() { pool_->Clear(); }

std::size_t HttpClient::idle_connections() const { return pool_->Size(); }

namespace {

bool Idempotent(http::verb v) {
  return v == http::verb::get || v == http::verb::head || v == http::verb::put ||
         v == http::verb::delete_ || v == http::verb::options;
}

Error FromNetwork(const beast::error_code& ec, std::string_view what, const Upstream& up) {
  std::string where = up.host + ":" + std::to_string(up.port);
  if (ec == beast::error::timeout) {
    return Error(Code::kTimeout,
                 "upstream " + where + " did not answer in time (" + std::string(what) + ")");
  }
  static const auto& http_category = http::make_error_code(http::error::need_more).category();
  if (ec.category() == http_category && ec != http::error::end_of_stream &&
      ec != http::error::partial_message) {
    if (ec == http::error::body_limit) {
      return Error(Code::kBadGateway, "upstream " + where + " sent a response over the size limit");
    }
    return Error(Code::kBadGateway,
                 "upstream " + where + " sent a malformed response: " + ec.message());
  }
  return Error(Code::kUnavailable,
               "upstream " + where + " " + std::string(what) + " failed: " + ec.message());
}

}  // namespace

Task<Result<Response>> HttpClient::Send(Upstream upstream, Request request, const Exchange* parent,
                                        std::chrono::milliseconds timeout) {
  const auto executor = co_await net::this_coro::executor;
  const auto deadline = Clock::now() + (timeout.count() > 0 ? timeout : options_.timeout);
  const Pool::Key key{&net::query(executor, net::execution::context), upstream.host, upstream.port};

  std::string host_header = upstream.host;
  if (upstream.host.find(':') != std::string::npos) host_header = "[" + upstream.host + "]";
  if (upstream.port != 80) host_header += ":" + std::to_string(upstream.port);
  request.set(http::field::host, host_header);
  request.version(11);
  request.prepare_payload();
  for (const auto& hook : hooks_) hook(parent, request);

  for (int attempt = 0; attempt < 2; ++attempt) {
    std::optional<beast::tcp_stream> stream = pool_->Take(key);
    const bool reused = stream.has_value();
    if (!stream) {
      tcp::resolver resolver(executor);
      auto [rec, endpoints] =
          co_await resolver.async_resolve(upstream.host, std::to_string(upstream.port), kUseTuple);
      if (rec) co_return FromNetwork(rec, "resolve", upstream);
      stream.emplace(executor);
      stream->expires_at(std::min(deadline, Clock::now() + options_.connect_timeout));
      auto [cec, ep] = co_await stream->async_connect(endpoints, kUseTuple);
      if (cec) co_return FromNetwork(cec, "connect", upstream);
      stream->socket().set_option(tcp::no_delay(true));
    }
    stream->expires_at(deadline);
    auto [wec, written] = co_await http::async_write(*stream, request, kUseTuple);
    if (wec) {
      if (reused && attempt == 0 && wec != beast::error::timeout) continue;
      co_return FromNetwork(wec, "write", upstream);
    }
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(options_.max_response_bytes);
    parser.header_limit(static_cast<std::uint32_t>(options_.max_response_header_bytes));
    auto [rec, read] = co_await http::async_read(*stream, buffer, parser, kUseTuple);
    if (rec) {
      const bool nothing_received = !parser.got_some();
      if (reused && attempt == 0 && nothing_received && Idempotent(request.method()) &&
          rec != beast::error::timeout) {
        continue;  // the upstream closed the pooled connection as we reused it: try a fresh one
      }
      co_return FromNetwork(rec, "read", upstream);
    }
    Response response = parser.release();
    if (response.keep_alive() && request.keep_alive() && buffer.size() == 0) {
      stream->expires_never();
      pool_->Put(key, std::move(*stream));
    }
    co_return response;
  }
  co_return Error(Code::kUnavailable, "upstream " + upstream.host + " closed the connection");
}

}  // namespace core
