// What every beanstalkd-protocol connection of one server shares: the engine, the command
// counters and connection counts that `stats` reports, and the write-ahead log's figures.
//
// Thread-safe: counters are relaxed atomics (they are statistics, not synchronization); the
// engine has its own lock. Must outlive its sessions.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "03_job_queue_worker_mini/engine/engine.hpp"
#include "03_job_queue_worker_mini/protocol/beanstalk_parse.hpp"
#include "core/base/clock.hpp"
#include "core/base/version.hpp"

namespace beanstalk {

struct Options {
  // `version` in stats.
  std::string version = std::string(core::kVersion);
  // Longest command line, "\r\n" included (beanstalkd's LINE_BUF_SIZE: a 200-byte tube name
  // plus the longest command fits). A longer line is answered BAD_FORMAT after its end.
  std::size_t max_line_bytes = 224;
  // Feed stops consuming input once its output passes this; the caller writes and comes back.
  std::size_t output_high_water_bytes = std::size_t{256} * 1024;
  // Longest reserve-with-timeout honoured (a larger one is clamped): keeps deadline arithmetic
  // far from overflow.
  std::int64_t max_reserve_timeout_s = 100LL * 365 * 24 * 3600;
};

// The write-ahead log's figures for the binlog-* keys of `stats` (all 0 without a log).
struct LogFigures {
  std::uint64_t oldest_index = 0;
  std::uint64_t current_index = 0;
  std::uint64_t records_migrated = 0;
  std::uint64_t records_written = 0;
  std::uint64_t max_size = 0;
};

class Service {
 public:
  // `engine` and `clock` must outlive the service.
  Service(jobs::Engine& engine, const core::Clock& clock, Options options = {});

  jobs::Engine& engine() const noexcept { return engine_; }
  const Options& options() const noexcept { return options_; }
  // Where `stats` reads the log's figures from (called on the stats thread; thread-safe).
  void SetLogFigures(std::function<LogFigures()> figures) { log_figures_ = std::move(figures); }

  void Count(Op op) noexcept {
    commands_[static_cast<std::size_t>(op)].fetch_add(1, std::memory_order_relaxed);
  }
  std::uint64_t Commands(Op op) const noexcept {
    return commands_[static_cast<std::size_t>(op)].load(std::memory_order_relaxed);
  }
  std::uint64_t current_connections() const noexcept {
    return current_connections_.load(std::memory_order_relaxed);
  }
  std::uint64_t total_connections() const noexcept {
    return total_connections_.load(std::memory_order_relaxed);
  }

  // The body of `stats` (the YAML between "OK <bytes>\r\n" and "\r\n"), keys in beanstalkd's order.
  std::string StatsYaml() const;

 private:
  friend class Session;

  jobs::Engine& engine_;
  const core::Clock& clock_;
  const Options options_;
  const core::Clock::time_point started_;
  const std::string id_;  // random per process, as beanstalkd's
  std::function<LogFigures()> log_figures_;
  std::array<std::atomic<std::uint64_t>, kOpCount> commands_{};
  std::atomic<std::uint64_t> current_connections_{0};
  std::atomic<std::uint64_t> total_connections_{0};
};

}  // namespace beanstalk
