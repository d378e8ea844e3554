// Appending, writing, syncing and compaction. Opening and recovery: wal_recovery.cpp.
#include "03_job_queue_worker_mini/wal/wal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "03_job_queue_worker_mini/engine/job_table.hpp"
#include "03_job_queue_worker_mini/engine/tube.hpp"
#include "03_job_queue_worker_mini/wal/wal_record.hpp"

namespace wal {

namespace {

[[noreturn]] void Fatal(const char* what, const std::string& path) {
  std::fprintf(stderr,
               "sd-jobqueue: write-ahead log: %s %s: %s; stopping (acknowledged writes "
               "could not be made durable)\n",
               what, path.c_str(), std::strerror(errno));
  std::abort();
}

void WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      Fatal("write", path);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

core::Result<FsyncPolicy> ParseFsyncPolicy(std::string_view text) {
  FsyncPolicy p;
  if (text == "always") return p;
  if (text == "never") {
    p.mode = FsyncMode::kNever;
    return p;
  }
  constexpr std::string_view kEvery = "every=";
  if (text.substr(0, kEvery.size()) == kEvery) {
    std::string_view v = text.substr(kEvery.size());
    long long scale = 1;
    if (v.size() > 2 && v.substr(v.size() - 2) == "ms") {
      v.remove_suffix(2);
    } else if (v.size() > 1 && v.back() == 's') {
      v.remove_suffix(1);
      scale = 1000;
    }
    long long n = 0;
    bool ok = !v.empty() && v.size() < 10;
    for (char c : v) {
      ok = ok && c >= '0' && c <= '9';
      n = n * 10 + (c - '0');
    }
    if (ok && n > 0) {
      p.mode = FsyncMode::kEvery;
      p.every = std::chrono::milliseconds(n * scale);
      return p;
    }
  }
  return core::Error(core::Code::kInvalidArgument,
                     "--fsync must be always, never or every=<ms> (e.g. every=50ms), got '" +
                         std::string(text) + "'");
}

Wal::Wal(WalOptions options, const core::Clock& clock, WallClock wall)
    : options_(std::move(options)), clock_(clock), wall_(std::move(wall)) {}

Wal::~Wal() {
  Stop();
  if (dir_fd_ >= 0) ::close(dir_fd_);
}

std::string Wal::SegmentPath(std::uint32_t index) const {
  char name[32];
  std::snprintf(name, sizeof name, "/wal-%08u.log", index);
  return options_.dir + name;
}

std::size_t Wal::JobRecordBytes(const jobs::Job& j) {
  return wal::JobRecordBytes(j.tube->name.size(), j.body_size);
}

std::int64_t Wal::WallDeadline(const jobs::Job& j, std::int64_t now_ns) const {
  return j.state == jobs::JobState::kDelayed ? wall_() + (j.deadline_ns - now_ns) : 0;
}

jobs::Lsn Wal::AppendLocked(const std::string& record) {
  Segment& head = segments_[head_segment_];
  if (head.bytes + record.size() > options_.segment_bytes && head.bytes > kSegmentMagic.size()) {
    ++head_segment_;
    segments_[head_segment_].bytes = kSegmentMagic.size();
    bytes_total_ += kSegmentMagic.size();
    marks_.push_back(Mark{pending_.size(), head_segment_});
  }
  segments_[head_segment_].bytes += record.size();
  bytes_total_ += record.size();
  pending_ += record;
  ++records_written_;
  return ++appended_lsn_;
}

void Wal::AddLiveLocked(jobs::Job& j, std::size_t record_bytes) {
  Segment& s = segments_[head_segment_];
  ++s.live_jobs;
  s.live_bytes += record_bytes;
  live_bytes_total_ += record_bytes;
  j.log_segment = head_segment_;
}

void Wal::RemoveLiveLocked(const jobs::Job& j) {
  auto it = segments_.find(j.log_segment);
  if (it == segments_.end()) return;
  const std::size_t bytes = JobRecordBytes(j);
  --it->second.live_jobs;
  it->second.live_bytes -= bytes;
  live_bytes_total_ -= bytes;
}

jobs::Lsn Wal::Put(jobs::Job& j, std::int64_t now_ns) {
  std::string record;
  record.reserve(JobRecordBytes(j));
  AppendJobRecord(record, j, RecordType::kJob, WallDeadline(j, now_ns));
  core::MutexLock lock(buf_mu_);
  if (stopped_) return 0;
  const jobs::Lsn lsn = AppendLocked(record);
  AddLiveLocked(j, record.size());
  return lsn;
}

jobs::Lsn Wal::Update(jobs::Job& j, std::int64_t now_ns) {
  std::string record;
  AppendJobRecord(record, j, RecordType::kUpdate, WallDeadline(j, now_ns));
  core::MutexLock lock(buf_mu_);
  if (stopped_) return 0;
  return AppendLocked(record);
}

jobs::Lsn Wal::Delete(jobs::Job& j) {
  std::string record;
  AppendDeleteRecord(record, j.id);
  core::MutexLock lock(buf_mu_);
  if (stopped_) return 0;
  RemoveLiveLocked(j);
  return AppendLocked(record);
}

void Wal::Maintain(jobs::JobTable& table, std::int64_t now_ns) {
  core::MutexLock lock(buf_mu_);
  if (stopped_ || segments_.size() < 2) return;
  auto oldest = segments_.begin();
  const std::uint32_t index = oldest->first;
  Segment& s = oldest->second;
  if (index == head_segment_ || s.dropping) return;
  const bool mostly_garbage = s.live_bytes * 2 < options_.segment_bytes;
  const bool log_too_big = bytes_total_ > 2 * live_bytes_total_ + 2 * options_.segment_bytes;
  if (s.live_jobs > 0 && !mostly_garbage && !log_too_big) return;
  if (s.live_jobs > 0) {
    // Copy the oldest segment's live jobs to the head; one pass over the table per segment freed.
    std::string record;
    table.ForEach([&](jobs::Job* j) {
      buf_mu_.AssertHeld();  // ForEach runs this right here, under the lock taken above
      if (j->log_segment != index) return;
      RemoveLiveLocked(*j);
      record.clear();
      AppendJobRecord(record, *j, RecordType::kJob, WallDeadline(*j, now_ns));
      AppendLocked(record);
      AddLiveLocked(*j, record.size());
      ++records_migrated_;
    });
  }
  s.dropping = true;
  drops_.push_back(Drop{index, appended_lsn_});
}

bool Wal::Commit(jobs::Lsn lsn) {
  if (lsn == 0) return true;
  if (written_lsn_.load(std::memory_order_acquire) < lsn) {
    core::MutexLock file_lock(file_mu_);
    if (written_lsn_.load(std::memory_order_relaxed) < lsn) {
      std::string data;
      std::vector<Mark> marks;
      jobs::Lsn upto = 0;
      {
        core::MutexLock lock(buf_mu_);
        data.swap(pending_);
        marks.swap(marks_);
        upto = appended_lsn_;
      }
      WriteLocked(data, marks);
      written_lsn_.store(upto, std::memory_order_release);
    }
  }
  return options_.fsync.mode != FsyncMode::kAlways ||
         synced_lsn_.load(std::memory_order_acquire) >= lsn;
}

void Wal::WriteLocked(const std::string& data, const std::vector<Mark>& marks) {
  std::size_t start = 0;
  for (const Mark& m : marks) {
    WriteAll(fd_, std::string_view(data).substr(start, m.offset - start), SegmentPath(fd_segment_));
    OpenSegmentLocked(m.segment);
    start = m.offset;
  }
  WriteAll(fd_, std::string_view(data).substr(start), SegmentPath(fd_segment_));
  bytes_written_.fetch_add(data.size(), std::memory_order_relaxed);
}

void Wal::OpenSegmentLocked(std::uint32_t index) {
  const bool sync = options_.fsync.mode != FsyncMode::kNever;
  if (fd_ >= 0) {
    // The old segment is complete: make it durable now, so the syncer only tracks the head.
    if (sync && ::fdatasync(fd_) != 0) Fatal("fdatasync", SegmentPath(fd_segment_));
    retired_fds_.push_back(fd_);
  }
  const std::string path = SegmentPath(index);
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) Fatal("open", path);
  fd_segment_ = index;
  WriteAll(fd_, kSegmentMagic, path);
  if (sync && (::fdatasync(fd_) != 0 || ::fsync(dir_fd_) != 0)) Fatal("fsync", path);
}

void Wal::WhenSynced(jobs::Lsn lsn, std::function<void()> done) {
  if (synced_lsn_.load(std::memory_order_acquire) >= lsn) {
    done();
    return;
  }
  {
    core::MutexLock lock(sync_mu_);
    if (!stop_syncer_) {
      waiters_.push_back(Waiter{lsn, std::move(done)});
      sync_cv_.NotifyOne();
      return;
    }
  }
  done();  // stopping: the final sync in Stop() has run or will run before exit
}

void Wal::SetFsyncObserver(std::function<void(double)> observer) {
  core::MutexLock lock(sync_mu_);
  fsync_observer_ = std::move(observer);
}

void Wal::SyncerLoop() {
  const auto period = options_.fsync.mode == FsyncMode::kEvery ? options_.fsync.every
                                                               : std::chrono::milliseconds(100);
  for (;;) {
    {
      core::MutexLock lock(sync_mu_);
      // Sleeps one period, unless a commit waits or Stop() comes first.
      const auto deadline = std::chrono::steady_clock::now() + period;
      while (!stop_syncer_ && waiters_.empty() &&
             sync_cv_.WaitUntil(sync_mu_, deadline) == std::cv_status::no_timeout) {
      }
      if (stop_syncer_) break;
    }
    SyncOnce();
  }
  SyncOnce();
}

void Wal::SyncOnce() {
  Commit(~jobs::Lsn{0});  // write whatever is buffered
  int fd = -1;
  std::uint32_t segment = 0;
  jobs::Lsn upto = 0;
  std::vector<int> retired;
  {
    core::MutexLock lock(file_mu_);
    fd = fd_;
    segment = fd_segment_;
    upto = written_lsn_.load(std::memory_order_relaxed);
    retired.swap(retired_fds_);
  }
  if (options_.fsync.mode != FsyncMode::kNever && upto > synced_lsn_.load() && fd >= 0) {
    const auto t0 = std::chrono::steady_clock::now();
    if (::fdatasync(fd) != 0) Fatal("fdatasync", SegmentPath(segment));
    fsyncs_.fetch_add(1, std::memory_order_relaxed);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::function<void(double)> observer;
    {
      core::MutexLock lock(sync_mu_);
      observer = fsync_observer_;
    }
    if (observer) observer(seconds);
  }
  for (int old : retired) ::close(old);  // already fsynced when retired
  // Two syncs may race (the syncer and SyncNow): the durable LSN only moves forward.
  jobs::Lsn seen = synced_lsn_.load(std::memory_order_acquire);
  while (upto > seen && !synced_lsn_.compare_exchange_weak(seen, upto)) {
  }
  std::vector<Waiter> ready;
  {
    core::MutexLock lock(sync_mu_);
    for (std::size_t i = 0; i < waiters_.size();) {
      if (waiters_[i].lsn <= upto) {
        ready.push_back(std::move(waiters_[i]));
        waiters_[i] = std::move(waiters_.back());
        waiters_.pop_back();
      } else {
        ++i;
      }
    }
  }
  for (Waiter& w : ready) w.done();
  RunDrops(upto);
}

void Wal::RunDrops(jobs::Lsn durable) {
  std::vector<std::uint32_t> doomed;
  {
    core::MutexLock lock(buf_mu_);
    for (std::size_t i = 0; i < drops_.size();) {
      if (drops_[i].after <= durable) {
        doomed.push_back(drops_[i].segment);
        drops_[i] = drops_.back();
        drops_.pop_back();
      } else {
        ++i;
      }
    }
  }
  for (std::uint32_t index : doomed) {
    ::unlink(SegmentPath(index).c_str());
    // Made durable before the next drop: a dropped segment must not come back after a crash
    // while a later one (holding the deletes that superseded it) stays gone.
    ::fsync(dir_fd_);
    core::MutexLock lock(buf_mu_);
    auto it = segments_.find(index);
    if (it != segments_.end()) {
      bytes_total_ -= it->second.bytes;
      segments_.erase(it);
    }
  }
}

void Wal::Stop() {
  {
    core::MutexLock lock(sync_mu_);
    if (stop_syncer_) return;
    stop_syncer_ = true;
  }
  sync_cv_.NotifyAll();
  if (syncer_.joinable()) syncer_.join();  // runs a final SyncOnce
  std::vector<Waiter> left;
  {
    core::MutexLock lock(sync_mu_);
    left.swap(waiters_);
  }
  for (Waiter& w : left) w.done();
  {
    core::MutexLock lock(buf_mu_);
    stopped_ = true;
  }
  core::MutexLock lock(file_mu_);
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  for (int old : retired_fds_) ::close(old);
  retired_fds_.clear();
}

WalFigures Wal::Figures() const {
  WalFigures f;
  core::MutexLock lock(buf_mu_);
  f.oldest_segment = segments_.empty() ? 0 : segments_.begin()->first;
  f.current_segment = head_segment_;
  f.segments = segments_.size();
  f.records_written = records_written_;
  f.records_migrated = records_migrated_;
  f.bytes_written = bytes_written_.load(std::memory_order_relaxed);
  f.fsyncs = fsyncs_.load(std::memory_order_relaxed);
  f.segment_bytes = options_.segment_bytes;
  return f;
}

}  // namespace wal
