// Opening the log directory and recovery: read every segment in order, rebuild the live jobs,
// restore them into the engine, start writing a fresh segment.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>

#include "03_job_queue_worker_mini/wal/wal.hpp"
#include "03_job_queue_worker_mini/wal/wal_record.hpp"

namespace wal {

namespace {

core::Error SystemError(const std::string& what, const std::string& path) {
  return core::Error(core::Code::kInternal, what + " " + path + ": " + std::strerror(errno));
}

// Segment indexes found in `dir`, ascending.
std::vector<std::uint32_t> ListSegments(const std::string& dir) {
  std::vector<std::uint32_t> out;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    unsigned index = 0;
    char tail[8] = {0};
    if (std::sscanf(e->d_name, "wal-%8u.%7s", &index, tail) == 2 &&
        std::string_view(tail) == "log" && std::strlen(e->d_name) == 16 && index > 0) {
      out.push_back(index);
    }
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

bool ReadFile(const std::string& path, std::string* data) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  data->clear();
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    data->append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return true;
}

struct LiveJob {
  Record record;
  std::uint32_t segment = 0;
  std::uint64_t order = 0;  // when its state last changed (keeps the buried list's FIFO order)
};

}  // namespace

core::Result<std::unique_ptr<Wal>> Wal::Open(WalOptions options, const core::Clock& clock,
                                             WallClock wall) {
  if (options.dir.empty()) {
    return core::Error(core::Code::kInvalidArgument, "the log directory (--data) is empty");
  }
  if (options.segment_bytes < 4096) {
    return core::Error(core::Code::kInvalidArgument, "--wal-segment-bytes must be >= 4096");
  }
  if (::mkdir(options.dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return SystemError("cannot create", options.dir);
  }
  const int dir_fd = ::open(options.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return SystemError("cannot open", options.dir);
  std::unique_ptr<Wal> w(new Wal(std::move(options), clock, std::move(wall)));
  w->dir_fd_ = dir_fd;
  return w;
}

core::Result<void> Wal::Recover(jobs::Engine& engine, RecoveryReport* report) {
  RecoveryReport r;
  std::map<jobs::JobId, LiveJob> live;
  jobs::JobId max_id = 0;
  std::uint64_t order = 0;
  std::map<std::uint32_t, Segment> found;
  const std::vector<std::uint32_t> indexes = ListSegments(options_.dir);
  std::string data;

  for (std::uint32_t index : indexes) {
    const std::string path = SegmentPath(index);
    if (!ReadFile(path, &data)) return SystemError("cannot read", path);
    ++r.segments;
    if (data.size() < kSegmentMagic.size() ||
        std::string_view(data).substr(0, kSegmentMagic.size()) != kSegmentMagic) {
      // Created but never written (a crash right after open), or not ours: ignored, kept.
      r.warnings.push_back(path + ": no segment header; ignored");
      r.skipped_bytes += data.size();
      continue;
    }
    std::size_t off = kSegmentMagic.size();
    while (off < data.size()) {
      Record rec;
      std::size_t size = 0;
      const Decode d = DecodeRecord(std::string_view(data).substr(off), &rec, &size);
      if (d == Decode::kOk) {
        ++r.records;
        max_id = std::max(max_id, rec.id);
        if (rec.type == RecordType::kJob) {
          const jobs::JobId id = rec.id;  // read before rec is moved (the key is evaluated last)
          live[id] = LiveJob{std::move(rec), index, ++order};
        } else if (rec.type == RecordType::kDelete) {
          live.erase(rec.id);
        } else if (auto it = live.find(rec.id); it != live.end()) {
          Record& j = it->second.record;
          j.pri = rec.pri;
          j.state = rec.state;
          j.ttr_ns = rec.ttr_ns;
          j.delay_ns = rec.delay_ns;
          j.deadline_wall_ns = rec.deadline_wall_ns;
          j.reserves = rec.reserves;
          j.timeouts = rec.timeouts;
          j.releases = rec.releases;
          j.buries = rec.buries;
          j.kicks = rec.kicks;
          it->second.order = ++order;
        }
        off += size;
        continue;
      }
      // Look for the next valid record: a bad one must not hide the ones after it.
      std::size_t next = off + 1;
      for (; next < data.size(); ++next) {
        Record probe;
        std::size_t probe_size = 0;
        if (DecodeRecord(std::string_view(data).substr(next), &probe, &probe_size) == Decode::kOk) {
          break;
        }
      }
      if (next >= data.size()) {
        // Nothing valid follows: a torn tail (the usual crash) or garbage at the end. Cut it off
        // so that the segment reads cleanly next time.
        ++(d == Decode::kTruncated ? r.torn_tails : r.corrupt_records);
        r.skipped_bytes += data.size() - off;
        r.warnings.push_back(path + ": " +
                             (d == Decode::kTruncated ? "torn record" : "corrupt record") +
                             " at offset " + std::to_string(off) + ", " +
                             std::to_string(data.size() - off) + " bytes cut off");
        if (::truncate(path.c_str(), static_cast<off_t>(off)) != 0) {
          r.warnings.push_back(path + ": truncate failed: " + std::strerror(errno));
        }
        data.resize(off);
        break;
      }
      ++r.corrupt_records;
      r.skipped_bytes += next - off;
      r.warnings.push_back(path + ": corrupt record at offset " + std::to_string(off) + ", " +
                           std::to_string(next - off) + " bytes skipped");
      off = next;
    }
    found[index].bytes = data.size();
  }

  // Restore in the order of each job's last change.
  std::vector<const LiveJob*> ordered;
  ordered.reserve(live.size());
  for (const auto& [id, j] : live) ordered.push_back(&j);
  std::sort(ordered.begin(), ordered.end(),
            [](const LiveJob* a, const LiveJob* b) { return a->order < b->order; });
  const std::int64_t wall_now = wall_();
  std::uint64_t live_total = 0;
  for (const LiveJob* l : ordered) {
    const Record& rec = l->record;
    jobs::RestoredJob job;
    job.id = rec.id;
    job.tube = rec.tube;
    job.pri = rec.pri;
    job.state = rec.state;
    job.delay_left =
        std::chrono::nanoseconds(std::max<std::int64_t>(0, rec.deadline_wall_ns - wall_now));
    job.delay = std::chrono::nanoseconds(rec.delay_ns);
    job.ttr = std::chrono::nanoseconds(rec.ttr_ns);
    job.body = rec.body;
    job.reserves = rec.reserves;
    job.timeouts = rec.timeouts;
    job.releases = rec.releases;
    job.buries = rec.buries;
    job.kicks = rec.kicks;
    job.log_segment = l->segment;
    if (rec.state == jobs::JobState::kDelayed && rec.deadline_wall_ns <= wall_now) {
      job.state = jobs::JobState::kReady;  // its time came while we were down
    }
    const jobs::Status s = engine.Restore(job);
    if (s != jobs::Status::kOk) {
      ++r.rejected_jobs;
      r.warnings.push_back("job " + std::to_string(rec.id) +
                           " does not fit this server's limits; not restored");
      continue;
    }
    ++r.jobs;
    const std::uint64_t bytes = wal::JobRecordBytes(rec.tube.size(), rec.body.size());
    ++found[l->segment].live_jobs;
    found[l->segment].live_bytes += bytes;
    live_total += bytes;
  }
  engine.EnsureNextIdAbove(max_id);

  const std::uint32_t head = indexes.empty() ? 1 : indexes.back() + 1;
  {
    core::MutexLock lock(buf_mu_);
    segments_ = std::move(found);
    bytes_total_ = 0;
    for (const auto& [index, s] : segments_) bytes_total_ += s.bytes;
    live_bytes_total_ = live_total;
    head_segment_ = head;
    segments_[head_segment_].bytes = kSegmentMagic.size();
    bytes_total_ += kSegmentMagic.size();
  }
  {
    core::MutexLock lock(file_mu_);
    OpenSegmentLocked(head);
    retired_fds_.clear();
  }
  syncer_ = std::thread([this] { SyncerLoop(); });
  if (report != nullptr) *report = std::move(r);
  return {};
}

}  // namespace wal
