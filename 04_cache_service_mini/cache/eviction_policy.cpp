#include "04_cache_service_mini/cache/eviction_policy.hpp"

#include "04_cache_service_mini/cache/lru_policy.hpp"
#include "04_cache_service_mini/cache/s3fifo_policy.hpp"
#include "04_cache_service_mini/cache/sieve_policy.hpp"
#include "04_cache_service_mini/cache/wtinylfu_policy.hpp"

namespace cache {

std::optional<PolicyKind> ParsePolicy(std::string_view name) noexcept {
  if (name == "lru") return PolicyKind::kLru;
  if (name == "s3fifo" || name == "s3-fifo") return PolicyKind::kS3Fifo;
  if (name == "sieve") return PolicyKind::kSieve;
  if (name == "wtinylfu" || name == "w-tinylfu") return PolicyKind::kWTinyLfu;
  return std::nullopt;
}

std::string_view NameOf(PolicyKind kind) noexcept {
  switch (kind) {
    case PolicyKind::kLru:
      return "lru";
    case PolicyKind::kS3Fifo:
      return "s3fifo";
    case PolicyKind::kSieve:
      return "sieve";
    case PolicyKind::kWTinyLfu:
      return "wtinylfu";
  }
  return "unknown";
}

std::unique_ptr<EvictionPolicy> MakePolicy(const PolicyOptions& options,
                                           std::size_t capacity_bytes) {
  switch (options.kind) {
    case PolicyKind::kLru:
      return std::make_unique<LruPolicy>();
    case PolicyKind::kS3Fifo:
      return std::make_unique<S3FifoPolicy>(capacity_bytes, options.s3fifo_small_ratio,
                                            options.s3fifo_promote_threshold);
    case PolicyKind::kSieve:
      return std::make_unique<SievePolicy>();
    case PolicyKind::kWTinyLfu:
      return std::make_unique<WTinyLfuPolicy>(
          capacity_bytes, WTinyLfuOptions{.doorkeeper = options.wtinylfu_doorkeeper});
  }
  return std::make_unique<LruPolicy>();
}

}  // namespace cache
