// The write-ahead log: every put, delete and state change goes to disk before it is acknowledged,
// so a restart (or a kill -9) loses nothing that a client was told had happened.
//
// Design. The engine appends records to an in-memory buffer under its own lock (so the log's
// order is the engine's order). Before the transport writes a batch of replies it calls
// Commit(lsn): whoever comes first write()s everything buffered so far, for every connection, in
// one system call (group write). What "durable" means is --fsync:
//   always    the replies wait for an fdatasync; a syncer thread runs one fsync for all records
//             written meanwhile (group commit), so throughput grows with concurrency, not 1/fsync;
//   every=N   replies go out after write(); the syncer fsyncs every N ms. A process crash loses
//             nothing (the kernel has the data); a machine crash loses at most N ms;
//   never     write() only; the OS flushes when it likes (beanstalkd -F).
// The log is a series of segment files (wal-00000001.log, ...). Compaction: when the oldest
// segment holds little live data, or the log is more than twice the live data, the live jobs of
// the oldest segment are written again at the head and the segment is deleted once those copies
// are durable. Recovery reads every segment in order; a torn or corrupt record is reported,
// skipped (the reader re-synchronizes on the next valid record), and never stops the server.
// An fsync that fails aborts the process: after a failed fsync the kernel may have dropped the
// dirty pages, and retrying would report durability that does not exist (PostgreSQL's lesson).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "03_job_queue_worker_mini/engine/engine.hpp"
#include "03_job_queue_worker_mini/engine/journal.hpp"
#include "core/base/clock.hpp"
#include "core/base/error.hpp"
#include "core/base/mutex.hpp"

namespace wal {

enum class FsyncMode { kAlways, kEvery, kNever };

struct FsyncPolicy {
  FsyncMode mode = FsyncMode::kAlways;
  std::chrono::milliseconds every{50};
};

// "always", "never", "every=50ms" / "every=1s" / "every=50" (ms). kInvalidArgument otherwise.
core::Result<FsyncPolicy> ParseFsyncPolicy(std::string_view text);

struct WalOptions {
  std::string dir;  // created if missing
  FsyncPolicy fsync;
  // A segment is closed and a new one started past this size.
  std::size_t segment_bytes = std::size_t{64} << 20;
};

// What recovery found. Bad records are counted and described, never fatal.
struct RecoveryReport {
  std::size_t segments = 0;
  std::size_t records = 0;
  std::size_t jobs = 0;             // restored into the engine
  std::size_t torn_tails = 0;       // a record cut short at the end of a segment (truncated away)
  std::size_t corrupt_records = 0;  // bad CRC or fields; skipped
  std::size_t skipped_bytes = 0;
  std::size_t rejected_jobs = 0;  // valid records that do not fit this configuration's limits
  std::vector<std::string> warnings;
};

struct WalFigures {
  std::uint64_t oldest_segment = 0;
  std::uint64_t current_segment = 0;
  std::uint64_t segments = 0;
  std::uint64_t records_written = 0;
  std::uint64_t records_migrated = 0;
  std::uint64_t bytes_written = 0;
  std::uint64_t fsyncs = 0;
  std::uint64_t segment_bytes = 0;
};

class Wal final : public jobs::Journal {
 public:
  // Nanoseconds since the Unix epoch (delays survive a restart in wall-clock time).
  using WallClock = std::function<std::int64_t()>;

  // Opens or creates the log directory. kInvalidArgument / kInternal if it is unusable.
  // `clock` and `wall` must outlive the log.
  static core::Result<std::unique_ptr<Wal>> Open(WalOptions options, const core::Clock& clock,
                                                 WallClock wall);
  ~Wal() override;  // Stop()

  // Reads every segment, restores the live jobs into `engine` (fresh, not yet serving, built
  // with this log as its journal), then starts a new segment and the syncer thread. Call once.
  core::Result<void> Recover(jobs::Engine& engine, RecoveryReport* report);

  // --- jobs::Journal (called under the engine's lock) ---
  jobs::Lsn Put(jobs::Job& job, std::int64_t now_ns) override;
  jobs::Lsn Update(jobs::Job& job, std::int64_t now_ns) override;
  jobs::Lsn Delete(jobs::Job& job) override;
  void Maintain(jobs::JobTable& jobs, std::int64_t now_ns) override;

  // --- the transport ---
  // Writes everything buffered up to at least `lsn` to the kernel. True if `lsn` is then durable
  // per the fsync policy (always: only once fsynced — use WhenSynced). Thread-safe.
  bool Commit(jobs::Lsn lsn);
  // Runs `done` once `lsn` is fsynced: at once if it already is, else on the syncer thread.
  void WhenSynced(jobs::Lsn lsn, std::function<void()> done);
  // Writes and fsyncs everything appended so far on the calling thread, runs due callbacks and
  // segment deletions: what the syncer does each period (tests call it to avoid waiting).
  void SyncNow() { SyncOnce(); }
  // Flushes, fsyncs and stops the syncer; later appends are dropped. Idempotent.
  void Stop();

  FsyncMode mode() const noexcept { return options_.fsync.mode; }
  WalFigures Figures() const;
  // Called on the syncer thread with each fsync's duration (for the latency histogram).
  void SetFsyncObserver(std::function<void(double seconds)> observer);

 private:
  struct Segment {
    std::uint64_t bytes = 0;       // appended (written or buffered)
    std::uint64_t live_jobs = 0;   // jobs whose latest full record is here
    std::uint64_t live_bytes = 0;  // the size of those records
    bool dropping = false;
  };
  struct Mark {  // from this offset of the buffer on, records go to `segment`
    std::size_t offset;
    std::uint32_t segment;
  };
  struct Drop {
    std::uint32_t segment;
    jobs::Lsn after;  // delete the file once this LSN is durable
  };
  struct Waiter {
    jobs::Lsn lsn;
    std::function<void()> done;
  };

  Wal(WalOptions options, const core::Clock& clock, WallClock wall);

  std::string SegmentPath(std::uint32_t index) const;
  std::int64_t WallDeadline(const jobs::Job& job, std::int64_t now_ns) const;
  // Appends one record to the buffer, rolling to a new segment when full.
  jobs::Lsn AppendLocked(const std::string& record) SD_REQUIRES(buf_mu_);
  void AddLiveLocked(jobs::Job& job, std::size_t record_bytes) SD_REQUIRES(buf_mu_);
  void RemoveLiveLocked(const jobs::Job& job) SD_REQUIRES(buf_mu_);
  static std::size_t JobRecordBytes(const jobs::Job& job);
  // Writes `data` (with its segment marks) to the files.
  void WriteLocked(const std::string& data, const std::vector<Mark>& marks) SD_REQUIRES(file_mu_);
  void OpenSegmentLocked(std::uint32_t index) SD_REQUIRES(file_mu_);
  void SyncerLoop();
  void SyncOnce();
  void RunDrops(jobs::Lsn durable);

  const WalOptions options_;
  const core::Clock& clock_;
  const WallClock wall_;

  // The buffer and the segment table: taken under the engine's lock, briefly by the writer.
  mutable core::Mutex buf_mu_;
  std::string pending_ SD_GUARDED_BY(buf_mu_);
  std::vector<Mark> marks_ SD_GUARDED_BY(buf_mu_);
  jobs::Lsn appended_lsn_ SD_GUARDED_BY(buf_mu_) = 0;
  std::map<std::uint32_t, Segment> segments_ SD_GUARDED_BY(buf_mu_);
  std::uint32_t head_segment_ SD_GUARDED_BY(buf_mu_) = 0;  // where new records go
  std::vector<Drop> drops_ SD_GUARDED_BY(buf_mu_);
  std::uint64_t records_written_ SD_GUARDED_BY(buf_mu_) = 0;
  std::uint64_t records_migrated_ SD_GUARDED_BY(buf_mu_) = 0;
  std::uint64_t live_bytes_total_ SD_GUARDED_BY(buf_mu_) = 0;
  std::uint64_t bytes_total_ SD_GUARDED_BY(buf_mu_) = 0;
  bool stopped_ SD_GUARDED_BY(buf_mu_) = false;

  // The files: one writer at a time.
  core::Mutex file_mu_;
  int fd_ SD_GUARDED_BY(file_mu_) = -1;
  std::uint32_t fd_segment_ SD_GUARDED_BY(file_mu_) = 0;
  // Closed by the syncer after its next fsync.
  std::vector<int> retired_fds_ SD_GUARDED_BY(file_mu_);
  std::atomic<jobs::Lsn> written_lsn_{0};
  std::atomic<std::uint64_t> bytes_written_{0};
  int dir_fd_ = -1;

  // The syncer.
  core::Mutex sync_mu_;
  core::CondVar sync_cv_;
  std::vector<Waiter> waiters_ SD_GUARDED_BY(sync_mu_);
  std::atomic<jobs::Lsn> synced_lsn_{0};
  std::atomic<std::uint64_t> fsyncs_{0};
  bool stop_syncer_ SD_GUARDED_BY(sync_mu_) = false;
  std::function<void(double)> fsync_observer_ SD_GUARDED_BY(sync_mu_);
  std::thread syncer_;
};

}  // namespace wal
