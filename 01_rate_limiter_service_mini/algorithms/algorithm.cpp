#include "01_rate_limiter_service_mini/algorithms/algorithm.hpp"

namespace ratelimit {

std::string_view NameOf(Algorithm algorithm) noexcept {
  switch (algorithm) {
    case Algorithm::kTokenBucket:
      return "token_bucket";
    case Algorithm::kGcra:
      return "gcra";
    case Algorithm::kSlidingWindow:
      return "sliding_window";
  }
  return "unknown";
}

std::optional<Algorithm> ParseAlgorithm(std::string_view name) noexcept {
  for (Algorithm a : {Algorithm::kTokenBucket, Algorithm::kGcra, Algorithm::kSlidingWindow}) {
    if (name == NameOf(a)) return a;
  }
  return std::nullopt;
}

AlgorithmState FreshState(Algorithm algorithm, const Quota& quota, core::Clock::time_point now) {
  switch (algorithm) {
    case Algorithm::kTokenBucket:
      return TokenBucket::Fresh(quota, now);
    case Algorithm::kGcra:
      return Gcra::Fresh(quota, now);
    case Algorithm::kSlidingWindow:
      return SlidingWindow::Fresh(quota, now);
  }
  return TokenBucket::Fresh(quota, now);
}

namespace {

template <class Algo>
Decision Run(const Quota& quota, AlgorithmState& state, std::int64_t cost,
             core::Clock::time_point now) {
  auto* s = std::get_if<typename Algo::State>(&state);
  if (s == nullptr) s = &state.emplace<typename Algo::State>(Algo::Fresh(quota, now));
  return Algo::Decide(quota, *s, cost, now);
}

}  // namespace

Decision Decide(Algorithm algorithm, const Quota& quota, AlgorithmState& state, std::int64_t cost,
                core::Clock::time_point now) {
  switch (algorithm) {
    case Algorithm::kTokenBucket:
      return Run<TokenBucket>(quota, state, cost, now);
    case Algorithm::kGcra:
      return Run<Gcra>(quota, state, cost, now);
    case Algorithm::kSlidingWindow:
      return Run<SlidingWindow>(quota, state, cost, now);
  }
  return Run<TokenBucket>(quota, state, cost, now);
}

}  // namespace ratelimit
