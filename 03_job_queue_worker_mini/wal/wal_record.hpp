// The write-ahead log's record format: what a job's durable state looks like on disk.
//
// Every record is framed as [crc32c u32][length u32][type u8][payload], little-endian; the CRC
// covers length, type and payload, so a torn write (length or payload cut short) and a flipped
// bit are both detected. A job record carries the job's whole durable state (tube and body
// included) and is written at put and when compaction moves a job; an update record carries the
// state without tube and body (release, bury, kick); a delete record only the id. Deadlines are
// wall-clock nanoseconds: a steady clock does not survive a restart.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "03_job_queue_worker_mini/engine/job.hpp"

namespace wal {

enum class RecordType : std::uint8_t { kJob = 1, kUpdate = 2, kDelete = 3 };

inline constexpr std::size_t kHeaderBytes = 9;
// Larger lengths are treated as corruption (a garbage length must not make the reader allocate
// or skip gigabytes). Comfortably above the largest job the server accepts (--max-job-bytes).
inline constexpr std::uint32_t kMaxPayloadBytes = 256u << 20;
// Every segment file starts with these 8 bytes.
inline constexpr std::string_view kSegmentMagic = "SDJQWAL1";

// The framed size of a kJob record for a job with this tube name and body: what compaction counts
// as a segment's live bytes.
constexpr std::size_t JobRecordBytes(std::size_t tube_bytes, std::size_t body_bytes) noexcept {
  return kHeaderBytes + 8 + 4 + 1 + 8 + 8 + 8 + std::size_t{5} * 4 + 1 + tube_bytes + 4 +
         body_bytes;
}

struct Record {
  RecordType type = RecordType::kJob;
  jobs::JobId id = 0;
  std::uint32_t pri = 0;
  jobs::JobState state = jobs::JobState::kReady;  // ready, delayed or buried
  std::int64_t ttr_ns = 0;
  std::int64_t delay_ns = 0;
  std::int64_t deadline_wall_ns = 0;  // delayed: when it becomes ready (wall clock)
  std::uint32_t reserves = 0, timeouts = 0, releases = 0, buries = 0, kicks = 0;
  std::string tube;  // kJob only
  std::string body;  // kJob only
};

// Appends the job's record (kJob with tube and body, or kUpdate without) to `out`. A reserved job
// is written as ready: after a restart its lease is gone. Returns the bytes appended.
std::size_t AppendJobRecord(std::string& out, const jobs::Job& job, RecordType type,
                            std::int64_t deadline_wall_ns);
std::size_t AppendDeleteRecord(std::string& out, jobs::JobId id);

enum class Decode { kOk, kTruncated, kCorrupt };

// Decodes the record at the start of `in`. kOk: *record filled, *size = its framed size.
// kTruncated: `in` ends inside a record (a torn tail if nothing follows). kCorrupt: the CRC, type
// or a field is wrong.
Decode DecodeRecord(std::string_view in, Record* record, std::size_t* size);

}  // namespace wal
