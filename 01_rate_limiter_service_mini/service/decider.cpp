#include "01_rate_limiter_service_mini/service/decider.hpp"

#include <utility>

namespace ratelimit {

core::Task<core::Result<Verdict>> Decider::Decide(const Rule& rule, std::string key,
                                                  std::int64_t cost) {
  if (remote_ == nullptr) co_return limiter_.Check(rule, key, cost);
  auto valid = Limiter::ValidateRequest(key, cost);
  if (!valid) co_return valid.error();
  auto decided = co_await remote_->Decide(rule, std::move(key), cost);
  co_return limiter_.Finish(rule, decided);
}

std::optional<core::Result<Verdict>> Decider::DecideLocally(const Rule& rule, std::string_view key,
                                                            std::int64_t cost) {
  if (remote_ != nullptr) return std::nullopt;
  return limiter_.Check(rule, key, cost);
}

}  // namespace ratelimit
