// Method + path-template routing, the part of Go's ServeMux every service needs.
//
// Templates are literal segments and `{name}` parameters ("/v1/cache/{key}"); a last segment
// `{name...}` takes the rest of the path (the gateway's "/api/{rest...}"). Matching is per segment,
// literal before parameter, so "/r/new" can coexist with "/r/{code}". Unknown path → 404; known
// path, wrong method → 405 with `Allow`; HEAD runs the GET handler (the connection drops the body).
// Routes are added at start-up, then the router is read-only and shared by all threads.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/http/exchange.hpp"
#include "core/http/http_types.hpp"

namespace core {

class Router {
 public:
  // Registers `handler` for `method` on `pattern`. Throws std::invalid_argument on a malformed
  // pattern or a duplicate (method, pattern) — both are programming errors found at start-up.
  void Add(http::verb method, std::string_view pattern, Handler handler);
  void Get(std::string_view pattern, Handler h) { Add(http::verb::get, pattern, std::move(h)); }
  void Post(std::string_view pattern, Handler h) { Add(http::verb::post, pattern, std::move(h)); }
  void Put(std::string_view pattern, Handler h) { Add(http::verb::put, pattern, std::move(h)); }
  void Delete(std::string_view pattern, Handler h) {
    Add(http::verb::delete_, pattern, std::move(h));
  }

  struct Match {
    enum class Kind { kFound, kNotFound, kMethodNotAllowed } kind = Kind::kNotFound;
    const Handler* handler = nullptr;  // set when kFound
    std::string_view route;            // template of the matched path ("" when kNotFound)
    std::string allow;                 // "GET, HEAD, POST" when kMethodNotAllowed, or for "*"
  };

  // Finds the route for `method` and `path` (no query string); fills `params` on a match. The
  // path "*" (OPTIONS *) finds a built-in handler answering 204 with every method in Allow.
  // Thread-safe once start-up registration is over.
  Match Find(http::verb method, std::string_view path, PathParams& params) const;

 private:
  struct Segment {
    enum class Kind { kLiteral, kParam, kRest } kind;
    std::string text;  // literal text or parameter name
  };
  struct Route {
    std::string pattern;
    std::vector<Segment> segments;
    http::verb method;
    Handler handler;
  };

  static bool MatchPath(const Route& route, std::string_view path, PathParams* params);

  std::vector<Route> routes_;  // few routes per service: a linear scan beats a trie's indirection
};

// Percent-decodes `in` (RFC 3986). Returns false on a malformed escape ("%4" or "%zz").
bool PercentDecode(std::string_view in, std::string& out);

}  // namespace core
