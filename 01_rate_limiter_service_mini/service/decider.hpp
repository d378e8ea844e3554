// The service layer's one entry point for a decision: a rule, a key and a cost in, a Verdict out,
// whether the state lives in this process or in a store every replica shares.
//
// Both front doors call it (the middleware with a key taken from the request, POST /v1/check with
// the caller's key), so neither includes the other. The local path is a plain function call
// (DecideLocally: no coroutine frame for an in-process decision); only a remote store suspends.
// No Beast or Asio I/O here: it only awaits, through core/async/task.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "01_rate_limiter_service_mini/limiter/async_decision_store.hpp"
#include "01_rate_limiter_service_mini/limiter/limiter.hpp"
#include "01_rate_limiter_service_mini/limiter/rule.hpp"
#include "core/async/task.hpp"
#include "core/base/error.hpp"

namespace ratelimit {

// Decides through the limiter's local store, or through `remote` when one is given; either way
// the limiter applies shadow and failure mode and counts the outcome. Thread-safe.
//
//   ```cpp
//   // decider: Decider(*limiter, redis_store.get()), or Decider(*limiter, nullptr) for local.
//   core::Task<core::Result<ratelimit::Verdict>> Check(ratelimit::Decider& decider,
//                                                       const ratelimit::Rule& rule,
//                                                       std::string key) {
//     auto decided = decider.DecideLocally(rule, key, 1);
//     if (!decided) {  // a remote store; the co_await in a statement of its own (g++ 12)
//       auto remote = co_await decider.Decide(rule, std::move(key), 1);
//       decided.emplace(std::move(remote));
//     }
//     co_return std::move(*decided);
//   }
//   ```
class Decider {
 public:
  // Neither is owned; both must outlive the decider. `remote` may be null.
  Decider(Limiter& limiter, AsyncDecisionStore* remote) : limiter_(limiter), remote_(remote) {}

  // Errors: kInvalidArgument for a bad key or cost (Limiter::ValidateRequest), checked before a
  // remote store is asked. A store failure is not an error: the rule's failure mode decides
  // (Verdict::store_failed). `rule` must be one of the limiter's rules.
  core::Task<core::Result<Verdict>> Decide(const Rule& rule, std::string key, std::int64_t cost);
  // The same decision without a coroutine frame when the store is local (in-process, never
  // waits); nullopt when it is remote and Decide must be awaited.
  std::optional<core::Result<Verdict>> DecideLocally(const Rule& rule, std::string_view key,
                                                     std::int64_t cost);

  Limiter& limiter() { return limiter_; }

 private:
  Limiter& limiter_;
  AsyncDecisionStore* remote_;
};

}  // namespace ratelimit
