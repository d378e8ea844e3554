#include "03_job_queue_worker_mini/wal/wal.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "03_job_queue_worker_mini/engine/engine.hpp"
#include "03_job_queue_worker_mini/engine/tube.hpp"
#include "03_job_queue_worker_mini/wal/wal_record.hpp"
#include "core/base/clock.hpp"

namespace wal {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

TEST(WalRecordTest, RoundTripsEveryKind) {
  jobs::Tube tube;
  tube.name = "emails";
  jobs::JobPtr j = jobs::MakeJob(42, std::string("bo\0dy", 5));
  j->tube = &tube;
  j->pri = 7;
  j->state = jobs::JobState::kDelayed;
  j->ttr_ns = 5'000'000'000;
  j->delay_ns = 3'000'000'000;
  j->reserves = 1;
  j->buries = 2;
  std::string log;
  EXPECT_EQ(AppendJobRecord(log, *j, RecordType::kJob, 123456789), JobRecordBytes(6, 5));
  AppendJobRecord(log, *j, RecordType::kUpdate, 5);
  AppendDeleteRecord(log, 42);

  Record r;
  std::size_t size = 0;
  std::string_view in = log;
  ASSERT_EQ(DecodeRecord(in, &r, &size), Decode::kOk);
  EXPECT_EQ(r.type, RecordType::kJob);
  EXPECT_EQ(r.id, 42u);
  EXPECT_EQ(r.pri, 7u);
  EXPECT_EQ(r.state, jobs::JobState::kDelayed);
  EXPECT_EQ(r.deadline_wall_ns, 123456789);
  EXPECT_EQ(r.tube, "emails");
  EXPECT_EQ(r.body, std::string("bo\0dy", 5));
  EXPECT_EQ(r.buries, 2u);
  in.remove_prefix(size);
  ASSERT_EQ(DecodeRecord(in, &r, &size), Decode::kOk);
  EXPECT_EQ(r.type, RecordType::kUpdate);
  EXPECT_TRUE(r.body.empty());
  in.remove_prefix(size);
  ASSERT_EQ(DecodeRecord(in, &r, &size), Decode::kOk);
  EXPECT_EQ(r.type, RecordType::kDelete);
  EXPECT_EQ(size, in.size());
}

TEST(WalRecordTest, EveryCutAndEveryFlippedByteIsDetected) {
  jobs::Tube tube;
  tube.name = "t";
  jobs::JobPtr j = jobs::MakeJob(9, "payload");
  j->tube = &tube;
  std::string rec;
  AppendJobRecord(rec, *j, RecordType::kJob, 0);
  Record r;
  std::size_t size = 0;
  for (std::size_t cut = 0; cut < rec.size(); ++cut) {
    EXPECT_NE(DecodeRecord(std::string_view(rec).substr(0, cut), &r, &size), Decode::kOk) << cut;
  }
  for (std::size_t i = 0; i < rec.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = rec;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      EXPECT_NE(DecodeRecord(bad, &r, &size), Decode::kOk) << i << "/" << bit;
    }
  }
}

TEST(FsyncPolicyTest, ParsesTheThreeModes) {
  EXPECT_EQ(ParseFsyncPolicy("always")->mode, FsyncMode::kAlways);
  EXPECT_EQ(ParseFsyncPolicy("never")->mode, FsyncMode::kNever);
  EXPECT_EQ(ParseFsyncPolicy("every=50ms")->every, 50ms);
  EXPECT_EQ(ParseFsyncPolicy("every=2s")->every, 2000ms);
  EXPECT_EQ(ParseFsyncPolicy("every=10")->every, 10ms);
  EXPECT_FALSE(ParseFsyncPolicy("every=0ms"));
  EXPECT_FALSE(ParseFsyncPolicy("every=x"));
  EXPECT_FALSE(ParseFsyncPolicy("sometimes"));
}

// A server's life on one directory: engine + log, restartable.
class WalTest : public ::testing::Test {
 protected:
  WalTest() {
    char tmpl[] = "/tmp/sd-jobqueue-wal-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  ~WalTest() override {
    Close();
    fs::remove_all(dir_);
  }

  // Starts (or restarts) the server on the directory and returns the recovery report.
  RecoveryReport Start(std::size_t segment_bytes = 1 << 20, FsyncMode mode = FsyncMode::kAlways) {
    Close();
    WalOptions o;
    o.dir = dir_;
    o.fsync.mode = mode;
    o.segment_bytes = segment_bytes;
    auto w = Wal::Open(o, clock_, [this] { return wall_ns_.load(); });
    EXPECT_TRUE(w) << w.error().detail;
    wal_ = std::move(*w);
    engine_ = std::make_unique<jobs::Engine>(jobs::EngineOptions{}, clock_, wal_.get());
    RecoveryReport report;
    EXPECT_TRUE(wal_->Recover(*engine_, &report));
    client_ = engine_->Connect();
    return report;
  }
  void Close() {
    if (wal_) wal_->Stop();
    engine_.reset();
    wal_.reset();
  }
  // A put acknowledged the way the server acknowledges it: written and synced.
  jobs::JobId Put(std::string_view body, core::Clock::duration delay = 0s,
                  std::string_view tube = "default") {
    EXPECT_EQ(engine_->Use(client_, tube), jobs::Status::kOk);
    jobs::PutRequest r;
    r.body = body;
    r.delay = delay;
    const jobs::PutResult p = engine_->Put(client_, r);
    EXPECT_EQ(p.status, jobs::Status::kOk);
    Durable(p.lsn);
    return p.id;
  }
  void Durable(jobs::Lsn lsn) {
    wal_->Commit(lsn);
    wal_->SyncNow();
  }
  jobs::LeaseHolder Me() { return {client_, std::nullopt}; }
  std::vector<std::string> Segments() {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

  std::string dir_;
  core::FakeClock clock_;
  std::atomic<std::int64_t> wall_ns_{1'700'000'000'000'000'000};
  std::unique_ptr<Wal> wal_;
  std::unique_ptr<jobs::Engine> engine_;
  jobs::ClientId client_ = 0;
};

TEST_F(WalTest, RestartRestoresJobsInTheirStates) {
  Start();
  const jobs::JobId ready = Put("ready");
  const jobs::JobId deleted = Put("deleted");
  const jobs::JobId buried = Put("buried", 0s, "dead");
  const jobs::JobId reserved = Put("reserved");
  const jobs::JobId delayed = Put("delayed", 60s);
  Durable(engine_->Delete(Me(), deleted).lsn);
  std::size_t n = 0;
  engine_->Watch(client_, "dead", &n);
  ASSERT_EQ(engine_->ReserveJob(client_, buried).job.id, buried);
  Durable(engine_->Bury(Me(), buried, 77).lsn);
  ASSERT_EQ(engine_->ReserveJob(client_, reserved).job.id, reserved);
  wall_ns_ += 20'000'000'000;  // 20 s pass in wall time before the restart

  const RecoveryReport report = Start();
  EXPECT_EQ(report.jobs, 4u);
  EXPECT_EQ(report.torn_tails + report.corrupt_records, 0u);
  EXPECT_EQ(engine_->StatsJob(ready)->state, jobs::JobState::kReady);
  EXPECT_FALSE(engine_->StatsJob(deleted).has_value());
  EXPECT_EQ(engine_->StatsJob(buried)->state, jobs::JobState::kBuried);
  EXPECT_EQ(engine_->StatsJob(buried)->pri, 77u);
  EXPECT_EQ(engine_->StatsJob(buried)->tube, "dead");
  EXPECT_EQ(engine_->StatsJob(reserved)->state, jobs::JobState::kReady);  // at-least-once
  EXPECT_EQ(engine_->StatsJob(delayed)->state, jobs::JobState::kDelayed);
  EXPECT_EQ(engine_->StatsJob(delayed)->time_left_ns, 40'000'000'000);
  EXPECT_EQ(engine_->Peek(ready)->body, "ready");
  // Ids go on after the highest ever used, deleted ones included.
  EXPECT_GT(Put("new"), delayed);
}

TEST_F(WalTest, TornTailIsCutOffAndEverythingBeforeItSurvives) {
  Start();
  for (int i = 0; i < 10; ++i) Put("job" + std::to_string(i));
  Close();
  const std::string last = dir_ + "/" + Segments().back();
  const auto size = fs::file_size(last);
  fs::resize_file(last, size - 3);  // the last record loses its end, as in a crash mid-write
  const RecoveryReport report = Start();
  EXPECT_EQ(report.jobs, 9u);
  EXPECT_EQ(report.torn_tails, 1u);
  EXPECT_EQ(report.corrupt_records, 0u);
  ASSERT_FALSE(report.warnings.empty());
  EXPECT_NE(report.warnings[0].find("torn record"), std::string::npos);
  Close();
  EXPECT_EQ(Start().torn_tails, 0u);  // the cut was made once, for good
}

TEST_F(WalTest, CorruptRecordInTheMiddleDoesNotHideLaterOnes) {
  Start();
  std::vector<jobs::JobId> ids;
  ids.reserve(10);
  for (int i = 0; i < 10; ++i) ids.push_back(Put("job-number-" + std::to_string(i)));
  Close();
  const std::string path = dir_ + "/" + Segments().front();
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  // Each record here is the same size; damage a byte of the 5th record's body.
  const auto record =
      static_cast<std::streamoff>((fs::file_size(path) - kSegmentMagic.size()) / 10);
  f.seekp(static_cast<std::streamoff>(kSegmentMagic.size()) + 4 * record + record - 5);
  f.put('#');
  f.close();
  const RecoveryReport report = Start();
  EXPECT_EQ(report.corrupt_records, 1u);
  EXPECT_EQ(report.jobs, 9u);
  EXPECT_FALSE(engine_->StatsJob(ids[4]).has_value());
  for (int i : {0, 3, 5, 9}) EXPECT_TRUE(engine_->StatsJob(ids[i]).has_value()) << i;
}

TEST_F(WalTest, GarbageAfterTheLastRecordIsSkipped) {
  Start();
  Put("a");
  Close();
  const std::string last = dir_ + "/" + Segments().back();
  std::ofstream(last, std::ios::app | std::ios::binary) << std::string(100, '\xAB');
  const RecoveryReport report = Start();
  EXPECT_EQ(report.jobs, 1u);
  EXPECT_EQ(report.corrupt_records, 1u);
  EXPECT_EQ(report.skipped_bytes, 100u);
}

TEST_F(WalTest, CompactionDeletesSegmentsWhoseJobsAreGone) {
  Start(/*segment_bytes=*/4096, FsyncMode::kNever);  // the mode does not matter here; speed does
  std::vector<jobs::JobId> ids;
  ids.reserve(400);
  for (int i = 0; i < 400; ++i) ids.push_back(Put(std::string(50, 'x')));
  const std::size_t before = Segments().size();
  ASSERT_GT(before, 10u);
  const jobs::JobId keep = ids[3];  // one long-lived job in the oldest segment
  for (jobs::JobId id : ids) {
    if (id != keep) Durable(engine_->Delete(Me(), id).lsn);
  }
  // Each Tick migrates or drops at most one segment; the file goes once the copies are durable
  // (SyncNow, or the background syncer if it got there first). Bounded wait for the outcome.
  const auto until = std::chrono::steady_clock::now() + 30s;
  while (Segments().size() > 3 && std::chrono::steady_clock::now() < until) {
    engine_->Tick();
    wal_->SyncNow();
    std::this_thread::yield();
  }
  EXPECT_LE(Segments().size(), 3u);
  EXPECT_GE(wal_->Figures().records_migrated, 1u);
  EXPECT_EQ(Start(4096, FsyncMode::kNever).jobs, 1u);
  EXPECT_EQ(engine_->Peek(keep)->body, std::string(50, 'x'));
}

TEST_F(WalTest, AlwaysModeCallsBackAfterTheFsync) {
  Start();
  jobs::PutRequest r;
  r.body = "x";
  const jobs::PutResult p = engine_->Put(client_, r);
  wal_->Commit(p.lsn);  // written; synced only by the syncer (or SyncNow)
  std::atomic<bool> synced{false};
  wal_->WhenSynced(p.lsn, [&] { synced = true; });
  wal_->SyncNow();
  // The background syncer may have taken the callback and be running it: wait for it (bounded).
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (!synced.load() && std::chrono::steady_clock::now() < until) std::this_thread::yield();
  EXPECT_TRUE(synced.load());
  EXPECT_TRUE(wal_->Commit(p.lsn));
  EXPECT_GE(wal_->Figures().fsyncs, 1u);
}

TEST_F(WalTest, NeverModeIsDurableOnceWritten) {
  Start(1 << 20, FsyncMode::kNever);
  jobs::PutRequest r;
  r.body = "x";
  EXPECT_TRUE(wal_->Commit(engine_->Put(client_, r).lsn));
  Close();
  EXPECT_EQ(Start(1 << 20, FsyncMode::kNever).jobs, 1u);
}

TEST(WalOpenTest, RefusesAnUnusableDirectory) {
  core::FakeClock clock;
  WalOptions o;
  o.dir = "/proc/definitely/not/here";
  EXPECT_FALSE(Wal::Open(o, clock, [] { return std::int64_t{0}; }));
  o.dir = "";
  EXPECT_FALSE(Wal::Open(o, clock, [] { return std::int64_t{0}; }));
}

}  // namespace
}  // namespace wal
