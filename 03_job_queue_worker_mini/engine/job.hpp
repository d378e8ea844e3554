// One job: its scheduling fields, its counters and its body in a single allocation.
//
// A queued job costs this header (~120 bytes) plus its body, and nothing else: the job table
// holds one pointer, the heap or list it sits in holds one pointer or uses the job's own links.
// That is what "memory per job at 1 M jobs" measures (beanstalkd's job is laid out the same way).
// Times are steady-clock nanoseconds (the engine's injected Clock); the WAL converts deadlines
// to wall-clock time when it writes them.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

namespace jobs {

using JobId = std::uint64_t;
using ClientId = std::uint64_t;

enum class JobState : std::uint8_t { kReady, kDelayed, kReserved, kBuried };

// "ready", "delayed", "reserved", "buried" (beanstalkd's stats-job words).
std::string_view NameOf(JobState state) noexcept;

struct Tube;
struct Client;

struct Job {
  JobId id = 0;
  Tube* tube = nullptr;
  // Intrusive links: the tube's buried list while buried, the owner's reserved list while
  // reserved (a job is never both).
  Job* prev = nullptr;
  Job* next = nullptr;
  Client* owner = nullptr;       // reserved: the client holding the lease (nullptr: orphaned)
  std::int64_t deadline_ns = 0;  // delayed: ready at; reserved: the lease ends (TTR)
  std::int64_t created_ns = 0;
  std::int64_t ttr_ns = 0;       // at least 1 s on the beanstalkd port, 1 ms over HTTP
  std::int64_t delay_ns = 0;     // the last delay given (put or release), for stats
  std::uint32_t pri = 0;         // lower runs first
  std::uint32_t heap_index = 0;  // position in the ready / delayed / lease heap it is in
  std::uint32_t body_size = 0;
  std::uint32_t reserves = 0;  // also the lease number HTTP clients quote back
  std::uint32_t timeouts = 0;
  std::uint32_t releases = 0;
  std::uint32_t buries = 0;
  std::uint32_t kicks = 0;
  std::uint32_t log_segment = 0;  // the WAL segment holding its latest full record (0: none)
  JobState state = JobState::kReady;

  std::string_view body() const noexcept {
    return {reinterpret_cast<const char*>(this + 1), body_size};
  }
  char* mutable_body() noexcept { return reinterpret_cast<char*>(this + 1); }
  // Bytes this job holds in memory (header + body), for the byte budget and its metric.
  std::size_t footprint() const noexcept { return sizeof(Job) + body_size; }
};

struct JobDeleter {
  void operator()(Job* job) const noexcept;
};
using JobPtr = std::unique_ptr<Job, JobDeleter>;

// A job with room for `body` (copied in) right after the header. Never null (throws
// std::bad_alloc like any allocation).
JobPtr MakeJob(JobId id, std::string_view body);

}  // namespace jobs
