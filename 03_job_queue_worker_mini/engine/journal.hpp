// The seam between the engine (memory, no I/O) and its write-ahead log.
//
// The engine calls these under its lock, in the order the mutations happen, so the log's order
// is the engine's order without a second lock. Each call returns a log sequence number (LSN);
// the transport holds a reply until the log says that LSN is durable (per --fsync). Only what
// must survive a restart is logged: a put, a delete, and changes of priority or state (release,
// bury, kick). Reserve, touch and lease expiry are not: after a restart reserved jobs are ready
// again (at-least-once delivery), as in beanstalkd's binlog.
#pragma once

#include <cstdint>

#include "03_job_queue_worker_mini/engine/job.hpp"

namespace jobs {

using Lsn = std::uint64_t;  // 0: nothing was logged

class JobTable;

class Journal {
 public:
  virtual ~Journal() = default;
  // A new job: its full record. May set job.log_segment.
  virtual Lsn Put(Job& job, std::int64_t now_ns) = 0;
  // The job's priority, state or delay changed (a reserved job is logged as ready).
  virtual Lsn Update(Job& job, std::int64_t now_ns) = 0;
  // The job is gone.
  virtual Lsn Delete(Job& job) = 0;
  // Periodic upkeep under the engine's lock (from Engine::Tick): compaction may rewrite live jobs'
  // records (updating their log_segment) and drop old segments. Must be bounded in time.
  virtual void Maintain(JobTable& jobs, std::int64_t now_ns) = 0;
};

}  // namespace jobs
