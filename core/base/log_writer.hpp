// Where log lines go: appended to one buffer, written to a file descriptor in large batches.
//
// Why not a logger thread with a queue (spdlog's async logger, measured first): every line wakes
// the writer thread, and on a busy core that is two context switches per request — it halved the
// throughput of GET /hello with access logs on. Here the request thread appends its line under a
// mutex held for a memcpy, a batch is written when it passes 64 KiB (one write(2) per ~300 access
// lines) and a background flush writes the remainder every 200 ms. Nothing waits on the consumer:
// when the descriptor is a pipe or socket that cannot take more, lines stay buffered up to a cap
// and beyond it are dropped and counted. Flush(kBlocking) at shutdown writes everything.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/mutex.hpp"

namespace core::log {

class BatchWriter {
 public:
  enum class Mode { kNonBlocking, kBlocking };

  // Writes to `fd` (not owned). `batch_bytes`: write once the buffer passes this;
  // `max_buffered_bytes`: beyond this, new lines are dropped while the consumer is stuck.
  explicit BatchWriter(int fd, std::size_t batch_bytes = std::size_t{64} * 1024,
                       std::size_t max_buffered_bytes = std::size_t{4} * 1024 * 1024);

  // Appends `line` and a newline; writes a batch when the buffer is full. Thread-safe; never
  // waits for the consumer.
  void Append(std::string_view line);
  // Writes what is buffered: kNonBlocking writes what the descriptor takes now, kBlocking all of
  // it.
  void Flush(Mode mode);

  std::uint64_t dropped_lines() const noexcept { return dropped_.load(std::memory_order_relaxed); }

 private:
  void WriteLocked(Mode mode) SD_REQUIRES(mu_);

  const int fd_;
  const std::size_t batch_bytes_;
  const std::size_t max_buffered_bytes_;
  const bool pipe_like_;  // pipes and sockets can be full; files, terminals and /dev/null cannot
  core::Mutex mu_;
  std::string buffer_ SD_GUARDED_BY(mu_);
  std::atomic<std::uint64_t> dropped_{0};
};

}  // namespace core::log
