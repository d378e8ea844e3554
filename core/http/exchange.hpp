// One request/response exchange: what a handler and every middleware around it see.
//
// The connection owns the request and the exchange for the duration of one request; handlers fill
// `response` (directly or through the helpers) and return. The router has already matched the
// route, so middleware can label metrics and logs with the route *template* ("/r/{code}"), never
// the raw path. The observability fields (request id, trace ids) are plain data carried here the
// way Go carries values in a request's context: 05's middleware fills them, the HTTP client reads
// them to propagate.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/error.hpp"
#include "core/http/attributes.hpp"
#include "core/http/http_types.hpp"

namespace core {

// Path parameters captured by a route template, already percent-decoded.
class PathParams {
 public:
  // The value of `{name}`, or empty when the route has no such parameter.
  std::string_view Get(std::string_view name) const noexcept {
    for (const auto& [k, v] : items_) {
      if (k == name) return v;
    }
    return {};
  }
  void Add(std::string_view name, std::string value) {
    items_.emplace_back(name, std::move(value));
  }
  void Clear() noexcept { items_.clear(); }
  std::size_t size() const noexcept { return items_.size(); }

 private:
  std::vector<std::pair<std::string_view, std::string>> items_;  // names point into the route table
};

struct Exchange;

// The request's id, when a module attaches one (05 does): problem bodies carry it as `request_id`,
// so a user's error report leads straight to the log lines.
inline const AttributeKey<const std::string> kRequestId;

// A route's handler: fills `ex.response`. May suspend (call other services); must not throw for
// expected failures (use `ex.Fail`) — an escaping exception becomes a logged 500.
using Handler = std::function<Task<void>(Exchange&)>;

struct Exchange {
  Exchange(Request& req, const boost::asio::ip::address& peer_addr, std::uint16_t peer_port_)
      : request(req), peer(peer_addr), peer_port(peer_port_) {}

  Request& request;
  Response response;

  std::string_view route;  // the matched template ("/r/{code}"); "" when no route matched
  PathParams params;
  const Handler* handler = nullptr;  // the matched handler; null → 404, or 405 when `allow` is set
  std::string allow;                 // methods the path does take, when the method did not match
  boost::asio::ip::address peer;
  std::uint16_t peer_port;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();

  Attributes attributes;  // typed per-request data of the modules (attributes.hpp)

  // Request target without the query string ("/r/abc").
  std::string_view Path() const noexcept;
  // Decoded value of query parameter `name`, if present.
  std::optional<std::string> Query(std::string_view name) const;

  // Fill the response with `body` as application/json and the given status.
  void Json(http::status status, std::string body);
  // Fill the response with `body` and an explicit content type.
  void Text(http::status status, std::string body, std::string_view content_type);
  // Fill the response with the problem+json for `error` (the one error shape; see problem.hpp).
  void Fail(const Error& error);
};

}  // namespace core
