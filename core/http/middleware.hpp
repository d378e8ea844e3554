// Middleware: a cross-cutting concern wrapped around every handler, in the spirit of Go's
// `func(http.Handler) http.Handler` and Envoy's HTTP filters.
//
// A middleware is an object built once at start-up (immutable shared config, thread-safe) whose
// `Handle` runs per request: it may inspect or change the exchange, then either answer on its own
// (early return: fill `ex.response` and do not call `next`) or `co_await next(ex)` and post-process
// the response. Order is outermost first. Member coroutines, not capturing lambdas: g++ 12
// mishandles capturing coroutine lambdas (../shared/STYLE.md, trap 2).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "core/http/exchange.hpp"
#include "core/http/http_types.hpp"
#include "core/http/router.hpp"

namespace core {

class Pipeline;

// The rest of the chain after the current middleware. Cheap to copy; valid while the pipeline
// lives.
class Next {
 public:
  Task<void> operator()(Exchange& ex) const;

 private:
  friend class Pipeline;
  Next(const Pipeline* p, std::size_t i) : pipeline_(p), index_(i) {}
  const Pipeline* pipeline_;
  std::size_t index_;
};

class Middleware {
 public:
  virtual ~Middleware() = default;
  virtual Task<void> Handle(Exchange& ex, Next next) = 0;
};

// Router + middleware, assembled at start-up and then shared read-only by every connection.
class Pipeline {
 public:
  explicit Pipeline(const Router& router) : router_(router) {}

  // Appends `m` inside those added before it (the first added is the outermost).
  void Use(std::shared_ptr<Middleware> m) { middleware_.push_back(std::move(m)); }

  // Called for every request the connection rejects before the pipeline runs (400, 408, 413,
  // 431: malformed, slow or oversized), with the error response about to be sent; lets
  // observability count, log and tag those too. Set at start-up; must be thread-safe.
  using RejectionHook =
      std::function<void(Response& response, const boost::asio::ip::address& peer)>;
  void OnRejection(RejectionHook hook) { rejection_hook_ = std::move(hook); }
  void NotifyRejection(Response& response, const boost::asio::ip::address& peer) const {
    if (rejection_hook_) rejection_hook_(response, peer);
  }

  // Matches the route, then runs the middleware and the handler (or the 404/405 answer).
  // Exceptions escaping a handler are not caught here; the connection turns them into a 500.
  Task<void> Run(Exchange& ex) const;

 private:
  friend class Next;
  Task<void> Step(Exchange& ex, std::size_t index) const;

  const Router& router_;
  std::vector<std::shared_ptr<Middleware>> middleware_;
  RejectionHook rejection_hook_;
};

}  // namespace core
