// The seam for a store that decides asynchronously (over the network): RedisStore implements it,
// the Decider calls it. The local store stays synchronous (decision_store.hpp): a coroutine there
// would cost every local decision a frame for nothing.
#pragma once

#include <cstdint>
#include <string>

#include "01_rate_limiter_service_mini/algorithms/decision.hpp"
#include "01_rate_limiter_service_mini/limiter/rule.hpp"
#include "core/async/task.hpp"
#include "core/base/error.hpp"

namespace ratelimit {

class AsyncDecisionStore {
 public:
  virtual ~AsyncDecisionStore() = default;
  // Decides `cost` units for `key` under `rule`. Errors (kUnavailable, kTimeout, kBadGateway)
  // mean "the store did not decide"; the rule's failure mode then decides (Limiter::Finish).
  // `rule` must outlive the call's start. Thread-safe.
  virtual core::Task<core::Result<Decision>> Decide(const Rule& rule, std::string key,
                                                    std::int64_t cost) = 0;
};

}  // namespace ratelimit
