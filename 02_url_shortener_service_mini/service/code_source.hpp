// Where new codes come from: random (the default) or a counter reserved from the store in blocks
// (--code-mode=counter, the trade-off experiment). The caller inserts the code and asks for another
// one when the store says it is taken.
#pragma once

#include <cstdint>
#include <string>

#include "02_url_shortener_service_mini/domain/codes.hpp"
#include "02_url_shortener_service_mini/store/link_store.hpp"
#include "core/async/task.hpp"
#include "core/base/error.hpp"
#include "core/base/mutex.hpp"

namespace shortener {

class CodeSource {
 public:
  virtual ~CodeSource() = default;
  // A code to try. Errors: the store's, for sources that need it. Thread-safe.
  virtual core::Task<core::Result<std::string>> Next() = 0;
};

// `length` base62 characters from the kernel's CSPRNG: 62^7 = 3.5e12 codes at the default 7.
class RandomCodeSource final : public CodeSource {
 public:
  explicit RandomCodeSource(std::size_t length) : length_(length) {}
  core::Task<core::Result<std::string>> Next() override;

 private:
  std::size_t length_;
};

// Consecutive ids in base62, reserved from the store `block` at a time: one store round trip per
// block, never a collision between generated codes (an alias that happens to spell a counter value
// still collides, and the caller retries with the next id). Codes are enumerable — anyone can walk
// /r/1, /r/2, ... — which is why this is not the default. Ids left in a block at exit are skipped.
class CounterCodeSource final : public CodeSource {
 public:
  // `store` must outlive this. Codes are left-padded to `min_length`.
  CounterCodeSource(LinkStore& store, std::uint64_t block, std::size_t min_length)
      : store_(store), block_(block), min_length_(min_length) {}
  core::Task<core::Result<std::string>> Next() override;

 private:
  LinkStore& store_;
  const std::uint64_t block_;
  const std::size_t min_length_;
  core::Mutex mu_;  // never held across a co_await
  BlockCounter counter_ SD_GUARDED_BY(mu_);
};

}  // namespace shortener
