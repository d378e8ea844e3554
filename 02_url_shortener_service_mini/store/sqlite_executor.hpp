// Runs SQLite work off the network threads and hands the result back to the awaiting coroutine.
//
// SQLite has no asynchronous API: every call blocks on the disk. So the store owns a few threads,
// each with its own connection: one writer and `readers` readers (WAL lets readers run while the
// writer commits). Writes are group-committed: the writer takes every write waiting (up to
// max_batch), runs each in its own SAVEPOINT inside one transaction, and commits once — one WAL
// fsync for the whole batch, which is what lets a durable store take thousands of creates per
// second. A write completes only after its COMMIT returned, so a 201 means the link is on disk.
//
// Completion is posted to the awaiting coroutine's executor, which is kept from running out of work
// meanwhile. Queues are bounded: a full queue answers kUnavailable at once instead of growing.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>  // std::once_flag
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "02_url_shortener_service_mini/store/sqlite_db.hpp"
#include "core/async/task.hpp"
#include "core/base/error.hpp"
#include "core/base/mutex.hpp"

namespace shortener {

struct SqliteExecutorOptions {
  std::string path;                // the database file; created (with its directory) if missing
  int readers = 2;                 // reader threads (connections)
  bool synchronous_full = true;    // fsync the WAL on every commit (power-loss safe); else NORMAL
  std::size_t max_batch = 256;     // writes per group commit
  std::size_t max_queue = 10'000;  // waiting operations per queue before kUnavailable
  int busy_timeout_ms = 5'000;     // how long a connection waits for another's lock
};

struct SqliteExecutorStats {
  std::uint64_t writes = 0;    // write operations run
  std::uint64_t commits = 0;   // transactions committed (one per batch)
  std::uint64_t reads = 0;     // read operations run
  std::uint64_t rejected = 0;  // operations refused because a queue was full or closed
  std::uint64_t failed_commits = 0;
  std::size_t largest_batch = 0;
};

class SqliteExecutor {
 public:
  // Opens the writer (creating the file and its directory), sets WAL and the synchronous mode,
  // runs `schema` on it, then opens the readers and starts the threads. Errors: kUnavailable
  // naming the path (unwritable directory, a file that is not a database, a corrupt one).
  static core::Result<std::unique_ptr<SqliteExecutor>> Open(SqliteExecutorOptions options,
                                                            const std::string& schema);
  // Close()s.
  ~SqliteExecutor();
  SqliteExecutor(const SqliteExecutor&) = delete;
  SqliteExecutor& operator=(const SqliteExecutor&) = delete;

  // Runs `fn` on the writer inside a group commit and returns its result once committed. If `fn`
  // fails its savepoint is rolled back and its error returned; if the commit fails every write of
  // the batch gets the commit's error. Thread-safe.
  template <class T>
  core::Task<core::Result<T>> Write(std::function<core::Result<T>(SqliteDb&)> fn) {
    co_return co_await Submit<T>(writes_, std::move(fn));
  }
  // Runs `fn` on a reader (sees every write that has completed). Thread-safe.
  template <class T>
  core::Task<core::Result<T>> Read(std::function<core::Result<T>(SqliteDb&)> fn) {
    co_return co_await Submit<T>(reads_, std::move(fn));
  }

  // Refuses new work, fails what is queued with kUnavailable, finishes what runs, joins the
  // threads. Idempotent. Call before the io_contexts of awaiting coroutines are destroyed.
  void Close();

  SqliteExecutorStats Stats() const;
  std::size_t queued() const;
  const SqliteExecutorOptions& options() const noexcept { return options_; }

 private:
  // One operation waiting for or running on a thread.
  class JobBase {
   public:
    virtual ~JobBase() = default;
    virtual bool Run(SqliteDb& db) = 0;  // false when the operation failed
    virtual void Fail(const core::Error& error) = 0;
    virtual void Complete() = 0;  // hands the result to the awaiting coroutine
  };

  template <class T, class Handler>
  class Job final : public JobBase {
   public:
    Job(std::function<core::Result<T>(SqliteDb&)> fn, Handler handler)
        : fn_(std::move(fn)),
          handler_(std::move(handler)),
          work_(boost::asio::prefer(boost::asio::get_associated_executor(handler_),
                                    boost::asio::execution::outstanding_work.tracked)) {}
    bool Run(SqliteDb& db) override {
      result_.emplace(fn_(db));
      return result_->has_value();
    }
    void Fail(const core::Error& error) override { result_.emplace(error); }
    void Complete() override {
      core::Result<T> result = result_
                                   ? std::move(*result_)
                                   : core::Result<T>(core::Error(core::Code::kInternal, "lost"));
      boost::asio::post(work_, [handler = std::move(handler_), r = std::move(result)]() mutable {
        std::move(handler)(std::move(r));
      });
    }

   private:
    std::function<core::Result<T>(SqliteDb&)> fn_;
    Handler handler_;
    std::decay_t<decltype(boost::asio::prefer(
        boost::asio::get_associated_executor(std::declval<Handler&>()),
        boost::asio::execution::outstanding_work.tracked))>
        work_;
    std::optional<core::Result<T>> result_;
  };

  struct Queue {
    mutable core::Mutex mu;
    core::CondVar ready;
    std::deque<std::unique_ptr<JobBase>> jobs SD_GUARDED_BY(mu);
    bool closed SD_GUARDED_BY(mu) = false;
  };

  template <class T>
  struct Initiation {
    SqliteExecutor* self;
    Queue* queue;
    std::function<core::Result<T>(SqliteDb&)> fn;

    template <class Handler>
    void operator()(Handler&& handler) {
      self->Enqueue(*queue, std::make_unique<Job<T, std::decay_t<Handler>>>(
                                std::move(fn), std::forward<Handler>(handler)));
    }
  };

  template <class T>
  core::Task<core::Result<T>> Submit(Queue& queue, std::function<core::Result<T>(SqliteDb&)> fn) {
    Initiation<T> initiation{this, &queue, std::move(fn)};
    co_return co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable),
                                                   void(core::Result<T>)>(
        std::move(initiation), boost::asio::use_awaitable);
  }

  explicit SqliteExecutor(SqliteExecutorOptions options) : options_(std::move(options)) {}
  void Enqueue(Queue& queue, std::unique_ptr<JobBase> job);
  void WriterLoop();
  void ReaderLoop(SqliteDb* db);
  void RunBatch(std::vector<std::unique_ptr<JobBase>>& batch);
  static void FailAll(Queue& queue, const core::Error& error);

  SqliteExecutorOptions options_;
  std::unique_ptr<SqliteDb> writer_db_;
  std::vector<std::unique_ptr<SqliteDb>> reader_dbs_;
  Queue writes_;
  Queue reads_;
  mutable core::Mutex stats_mu_;
  SqliteExecutorStats stats_ SD_GUARDED_BY(stats_mu_);
  std::vector<std::thread> threads_;
  std::once_flag close_once_;
};

}  // namespace shortener
