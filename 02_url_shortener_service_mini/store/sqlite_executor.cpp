#include "02_url_shortener_service_mini/store/sqlite_executor.hpp"

#include <filesystem>
#include <system_error>

namespace shortener {
namespace {

core::Result<void> Configure(SqliteDb& db, const SqliteExecutorOptions& options, bool writer) {
  const std::string timeout = "PRAGMA busy_timeout=" + std::to_string(options.busy_timeout_ms);
  if (auto ok = db.Exec(timeout); !ok) return ok.error();
  if (writer) {
    // WAL: readers never block the writer nor it them; one fsync per commit instead of two.
    auto mode = db.Exec("PRAGMA journal_mode=WAL");
    if (!mode) return mode.error();
  } else {
    if (auto ok = db.Exec("PRAGMA query_only=1"); !ok) return ok.error();
  }
  return db.Exec(options.synchronous_full ? "PRAGMA synchronous=FULL"
                                          : "PRAGMA synchronous=NORMAL");
}

// Transaction control through cached prepared statements: sqlite3_exec would compile the text
// again for every write of every batch.
core::Result<void> Control(SqliteDb& db, const std::string& sql) {
  auto stmt = db.Prepare(sql);
  if (!stmt) return stmt.error();
  return (*stmt)->Run();
}

core::Error Unavailable(const core::Error& e, const std::string& path) {
  return core::Error(core::Code::kUnavailable, "sqlite store " + path + ": " + e.detail);
}

}  // namespace

core::Result<std::unique_ptr<SqliteExecutor>> SqliteExecutor::Open(SqliteExecutorOptions options,
                                                                   const std::string& schema) {
  if (options.readers < 1) options.readers = 1;
  if (options.max_batch < 1) options.max_batch = 1;
  const std::filesystem::path path(options.path);
  if (path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) {
      return core::Error(
          core::Code::kUnavailable,
          "sqlite store " + options.path + ": cannot create its directory: " + ec.message());
    }
  }
  std::unique_ptr<SqliteExecutor> self(new SqliteExecutor(options));
  auto writer = SqliteDb::Open(options.path, /*create=*/true);
  if (!writer) return Unavailable(writer.error(), options.path);
  self->writer_db_ = std::move(*writer);
  // The first statements read the header: a file that is not a database fails here, at start-up.
  if (auto ok = Configure(*self->writer_db_, options, true); !ok) {
    return Unavailable(ok.error(), options.path);
  }
  if (auto ok = self->writer_db_->Exec(schema); !ok) return Unavailable(ok.error(), options.path);
  for (int i = 0; i < options.readers; ++i) {
    auto reader = SqliteDb::Open(options.path, /*create=*/false);
    if (!reader) return Unavailable(reader.error(), options.path);
    if (auto ok = Configure(**reader, options, false); !ok) {
      return Unavailable(ok.error(), options.path);
    }
    self->reader_dbs_.push_back(std::move(*reader));
  }
  self->threads_.emplace_back([p = self.get()] { p->WriterLoop(); });
  for (auto& db : self->reader_dbs_) {
    self->threads_.emplace_back([p = self.get(), d = db.get()] { p->ReaderLoop(d); });
  }
  return self;
}

SqliteExecutor::~SqliteExecutor() { Close(); }

void SqliteExecutor::Close() {
  std::call_once(close_once_, [this] {
    for (Queue* q : {&writes_, &reads_}) {
      {
        core::MutexLock lock(q->mu);
        q->closed = true;
      }
      q->ready.NotifyAll();
    }
    for (auto& t : threads_) t.join();
    const core::Error closed(core::Code::kUnavailable, "sqlite store: closed");
    FailAll(writes_, closed);
    FailAll(reads_, closed);
  });
}

void SqliteExecutor::FailAll(Queue& queue, const core::Error& error) {
  std::deque<std::unique_ptr<JobBase>> jobs;
  {
    core::MutexLock lock(queue.mu);
    jobs.swap(queue.jobs);
  }
  for (auto& job : jobs) {
    job->Fail(error);
    job->Complete();
  }
}

void SqliteExecutor::Enqueue(Queue& queue, std::unique_ptr<JobBase> job) {
  {
    core::MutexLock lock(queue.mu);
    if (!queue.closed && queue.jobs.size() < options_.max_queue) {
      queue.jobs.push_back(std::move(job));
      queue.ready.NotifyOne();
      return;
    }
  }
  {
    core::MutexLock lock(stats_mu_);
    ++stats_.rejected;
  }
  job->Fail(core::Error(core::Code::kUnavailable,
                        "sqlite store: too many operations waiting (--sqlite-max-queue)"));
  job->Complete();
}

void SqliteExecutor::WriterLoop() {
  std::vector<std::unique_ptr<JobBase>> batch;
  for (;;) {
    {
      core::MutexLock lock(writes_.mu);
      while (!writes_.closed && writes_.jobs.empty()) writes_.ready.Wait(writes_.mu);
      // On close, what is already queued still runs: those callers are owed an answer.
      if (writes_.jobs.empty()) return;
      while (!writes_.jobs.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(writes_.jobs.front()));
        writes_.jobs.pop_front();
      }
    }
    RunBatch(batch);
    batch.clear();
  }
}

void SqliteExecutor::RunBatch(std::vector<std::unique_ptr<JobBase>>& batch) {
  SqliteDb& db = *writer_db_;
  auto begin = Control(db, "BEGIN IMMEDIATE");
  std::vector<bool> ok(batch.size(), false);
  if (!begin) {
    for (auto& job : batch) job->Fail(begin.error());
  } else {
    for (std::size_t i = 0; i < batch.size(); ++i) {
      // A savepoint per write: one failing write (a taken code) must not undo its neighbours.
      auto sp = Control(db, "SAVEPOINT w");
      if (!sp) {
        batch[i]->Fail(sp.error());
        continue;
      }
      ok[i] = batch[i]->Run(db);
      if (!ok[i] && sqlite3_get_autocommit(db.raw()) != 0) {
        // SQLite rolled the whole transaction back by itself (a full disk, an I/O error): the
        // writes before this one are gone too, and the rest must not run outside a transaction.
        const core::Error aborted(core::Code::kUnavailable,
                                  "sqlite store: transaction aborted by an earlier error");
        for (std::size_t j = 0; j < batch.size(); ++j) {
          if (j < i && ok[j]) batch[j]->Fail(aborted);
          if (j > i) batch[j]->Fail(aborted);
          ok[j] = false;
        }
        break;
      }
      if (!ok[i]) (void)Control(db, "ROLLBACK TO w");
      (void)Control(db, "RELEASE w");
    }
    auto commit =
        sqlite3_get_autocommit(db.raw()) != 0 ? core::Result<void>() : Control(db, "COMMIT");
    if (!commit) {
      (void)Control(db, "ROLLBACK");
      for (std::size_t i = 0; i < batch.size(); ++i) {
        if (ok[i]) batch[i]->Fail(commit.error());
      }
    }
    core::MutexLock lock(stats_mu_);
    stats_.writes += batch.size();
    if (commit) ++stats_.commits;
    if (!commit) ++stats_.failed_commits;
    if (batch.size() > stats_.largest_batch) stats_.largest_batch = batch.size();
  }
  for (auto& job : batch) job->Complete();
}

void SqliteExecutor::ReaderLoop(SqliteDb* db) {
  for (;;) {
    std::unique_ptr<JobBase> job;
    {
      core::MutexLock lock(reads_.mu);
      while (!reads_.closed && reads_.jobs.empty()) reads_.ready.Wait(reads_.mu);
      if (reads_.jobs.empty()) return;
      job = std::move(reads_.jobs.front());
      reads_.jobs.pop_front();
    }
    job->Run(*db);
    job->Complete();
    core::MutexLock lock(stats_mu_);
    ++stats_.reads;
  }
}

SqliteExecutorStats SqliteExecutor::Stats() const {
  core::MutexLock lock(stats_mu_);
  return stats_;
}

std::size_t SqliteExecutor::queued() const {
  std::size_t n = 0;
  for (const Queue* q : {&writes_, &reads_}) {
    core::MutexLock lock(q->mu);
    n += q->jobs.size();
  }
  return n;
}

}  // namespace shortener
