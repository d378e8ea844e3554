#include "core/http/middleware.hpp"

#include "core/http/problem.hpp"

namespace core {
namespace {

// The terminal step when no route matched. A plain coroutine: it has to be awaitable like a
// handler.
Task<void> AnswerNotFound(Exchange& ex) {
  ex.Fail(Error(Code::kNotFound, "no route for " + std::string(ex.Path())));
  co_return;
}

Task<void> AnswerMethodNotAllowed(Exchange& ex) {
  ex.Fail(Error(Code::kMethodNotAllowed, std::string(ex.request.method_string()) +
                                             " is not allowed on " + std::string(ex.Path())));
  ex.response.set(http::field::allow, ex.allow);
  co_return;
}

}  // namespace

Task<void> Next::operator()(Exchange& ex) const { return pipeline_->Step(ex, index_); }

Task<void> Pipeline::Step(Exchange& ex, std::size_t index) const {
  if (index < middleware_.size()) return middleware_[index]->Handle(ex, Next(this, index + 1));
  // End of the chain: the matched handler, or the router's answer.
  if (ex.handler) return (*ex.handler)(ex);
  if (!ex.allow.empty()) return AnswerMethodNotAllowed(ex);
  return AnswerNotFound(ex);
}

Task<void> Pipeline::Run(Exchange& ex) const {
  Router::Match m = router_.Find(ex.request.method(), ex.Path(), ex.params);
  ex.route = m.route;
  ex.handler = m.handler;
  ex.allow = std::move(m.allow);  // the handler of OPTIONS * reads it too
  return Step(ex, 0);
}

}  // namespace core
