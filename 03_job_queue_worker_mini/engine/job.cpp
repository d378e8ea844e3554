#include "03_job_queue_worker_mini/engine/job.hpp"

#include <cstring>
#include <new>

namespace jobs {

std::string_view NameOf(JobState state) noexcept {
  switch (state) {
    case JobState::kReady:
      return "ready";
    case JobState::kDelayed:
      return "delayed";
    case JobState::kReserved:
      return "reserved";
    case JobState::kBuried:
      return "buried";
  }
  return "invalid";
}

void JobDeleter::operator()(Job* job) const noexcept {
  job->~Job();
  ::operator delete(job);
}

JobPtr MakeJob(JobId id, std::string_view body) {
  void* memory = ::operator new(sizeof(Job) + body.size());
  Job* job = new (memory) Job();
  job->id = id;
  job->body_size = static_cast<std::uint32_t>(body.size());
  if (!body.empty()) std::memcpy(job->mutable_body(), body.data(), body.size());
  return JobPtr(job);
}

}  // namespace jobs
