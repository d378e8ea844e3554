// The beanstalkd text protocol as a pure state machine: bytes in, reply bytes out, no I/O.
//
// The TCP transport owns the socket; per connection it keeps a Session and loops: read, Feed,
// wait until the log has made TakeLsn() durable (--fsync always), write what Feed appended,
// close when ShouldClose(). Commands are answered in order, so a reserve that must wait stops
// Feed (Waiting()): the engine later calls the waker, the transport hands the result to
// CompleteWait on the connection's own executor, and feeding resumes with the unread input.
// Everything a client can make us hold is bounded: a command line by max_line_bytes, a job body
// by the engine's max_job_bytes (a larger one is skipped, not buffered), the replies of one Feed
// by output_high_water_bytes (plus one job).
//
// Replies match beanstalkd 1.12 byte for byte; the differential test runs the same scripts
// against both. Known differences, on purpose: a put refused because the server is full answers
// OUT_OF_MEMORY after reading the body (beanstalkd cannot tell in advance either) and still spends
// a job id; an over-long line is always answered BAD_FORMAT at its end (beanstalkd can miss a CRLF
// split across its 224-byte buffer and swallow the next command).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "03_job_queue_worker_mini/engine/engine.hpp"
#include "03_job_queue_worker_mini/protocol/beanstalk_service.hpp"

namespace beanstalk {

// One connection's protocol state. Not thread-safe: one connection, one executor.
class Session {
 public:
  // Connects an engine client (counts the connection until destroyed).
  explicit Session(Service& service);
  // Disconnects (if Close has not): a pending wait is dropped; reserved jobs return to ready.
  ~Session();
  // The same, now: the transport calls it before closing the socket, so a client that sees the
  // connection end also sees its jobs released (as with beanstalkd). Idempotent; afterwards the
  // session must not be fed.
  void Close();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Called by the engine, on any thread, when a waiting reserve ends. Set it before feeding a
  // reserve; it should post CompleteWait to this connection's executor.
  void SetWaker(jobs::WaitCallback waker) { waker_ = std::move(waker); }

  // Consumes a prefix of `input` and appends replies to `out`. Returns the bytes consumed: all,
  // unless `out` reached the high-water mark, a reserve began waiting, or the session closed.
  std::size_t Feed(std::string_view input, std::string& out);
  // A reserve is waiting for a job: feed nothing until CompleteWait.
  bool Waiting() const noexcept { return waiting_; }
  // Appends the answer of the waiting reserve (RESERVED, TIMED_OUT or DEADLINE_SOON).
  void CompleteWait(const jobs::WaitResult& result, std::string& out);
  // `quit`: write what was produced, then close.
  bool ShouldClose() const noexcept { return state_ == State::kClosed; }
  // Between commands with nothing partial held (the transport applies its idle timeout here).
  bool Idle() const noexcept { return state_ == State::kLine && line_.empty() && !waiting_; }
  // The highest log sequence number among the replies appended since the last call (0: none).
  // Replies must not be written before the log has made it durable.
  jobs::Lsn TakeLsn() noexcept {
    const jobs::Lsn l = lsn_;
    lsn_ = 0;
    return l;
  }
  jobs::ClientId client() const noexcept { return client_; }

 private:
  enum class State { kLine, kDiscardLine, kBody, kSkip, kClosed };

  std::size_t ConsumeLine(std::string_view in, std::string& out);
  std::size_t ConsumeDiscard(std::string_view in, std::string& out);
  std::size_t ConsumeBody(std::string_view in, std::string& out);
  std::size_t ConsumeSkip(std::string_view in, std::string& out);
  void Execute(std::string_view line, std::string& out);
  void FinishPut(std::string_view body_and_crlf, std::string& out);

  void Put(std::string_view args, std::string& out);
  void Reserve(std::int64_t timeout_s, std::string& out);
  void Release(std::string_view args, std::string& out);
  void Bury(std::string_view args, std::string& out);
  void PauseTube(std::string_view args, std::string& out);
  void StatsJob(jobs::JobId id, std::string& out);
  void StatsTube(std::string_view name, std::string& out);
  void ListTubes(const std::vector<std::string>& names, std::string& out);
  void Found(const std::optional<jobs::JobCopy>& job, std::string& out);
  void Tubes(jobs::Status status, std::string_view name, std::size_t watching, bool use,
             std::string& out);
  void NoteLsn(jobs::Lsn lsn) noexcept {
    if (lsn > lsn_) lsn_ = lsn;
  }

  Service& service_;
  jobs::Engine& engine_;
  const jobs::ClientId client_;
  bool disconnected_ = false;
  State state_ = State::kLine;
  std::string line_;           // an incomplete command line carried between Feeds
  bool discard_cr_ = false;    // kDiscardLine: the last byte seen was '\r'
  std::string body_;           // kBody: the part of body + "\r\n" received so far
  std::size_t body_need_ = 0;  // kBody: body + 2
  jobs::PutRequest put_;       // kBody: the put being read (body filled in at the end)
  std::uint64_t skip_left_ = 0;
  bool waiting_ = false;
  jobs::WaitCallback waker_;
  jobs::Lsn lsn_ = 0;
};

}  // namespace beanstalk
