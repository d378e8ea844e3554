// The three algorithms behind one switch, so a rule can pick one and a store can keep any of their
// states in one slot (a std::variant: 32 bytes).
//
// Every store (local table, or a Redis store that computes client-side) runs the same pure
// functions here; they are the specification a Lua script must mirror.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

#include "01_rate_limiter_service_mini/algorithms/decision.hpp"
#include "01_rate_limiter_service_mini/algorithms/gcra.hpp"
#include "01_rate_limiter_service_mini/algorithms/quota.hpp"
#include "01_rate_limiter_service_mini/algorithms/sliding_window.hpp"
#include "01_rate_limiter_service_mini/algorithms/token_bucket.hpp"
#include "core/base/clock.hpp"

namespace ratelimit {

enum class Algorithm { kTokenBucket, kGcra, kSlidingWindow };

// "token_bucket", "gcra", "sliding_window".
std::string_view NameOf(Algorithm algorithm) noexcept;
std::optional<Algorithm> ParseAlgorithm(std::string_view name) noexcept;

// Alternative i of the variant is the state of Algorithm value i.
using AlgorithmState = std::variant<TokenBucket::State, Gcra::State, SlidingWindow::State>;

// The state of a key never seen before (or fully recovered).
AlgorithmState FreshState(Algorithm algorithm, const Quota& quota, core::Clock::time_point now);

// Runs `algorithm` on `state`. A state holding another algorithm's alternative (the rule was
// reloaded with a new algorithm) is replaced by a fresh one first. Same contract as the
// per-algorithm Decide: state changes only when allowed and cost > 0. Pure; cost >= 0.
Decision Decide(Algorithm algorithm, const Quota& quota, AlgorithmState& state, std::int64_t cost,
                core::Clock::time_point now);

}  // namespace ratelimit
