#include "03_job_queue_worker_mini/server/beanstalk_server.hpp"

#include <optional>
#include <vector>

#include "03_job_queue_worker_mini/store/wakeup.hpp"
#include "core/net/tcp_connection.hpp"

namespace jobs_server {

using jobs_store::Wakeup;

namespace {

constexpr std::size_t kReadChunk = 16 * 1024;

// Where the engine leaves the end of a waiting reserve (on its thread) for the connection (on
// its executor). The post inside Wakeup::Fire orders the write before the read.
struct Parked {
  explicit Parked(const boost::asio::any_io_executor& ex) : wake(std::make_shared<Wakeup>(ex)) {}
  std::shared_ptr<Wakeup> wake;
  std::optional<jobs::WaitResult> result;
};

class BeanstalkConnection final : public core::TcpConnection {
 public:
  BeanstalkConnection(tcp::socket socket, beanstalk::Service& service, wal::Wal* log,
                      const core::TextProtocolServerOptions& options)
      : TcpConnection(std::move(socket)),
        session_(service),
        log_(log),
        options_(options),
        parked_(std::make_shared<Parked>(this->socket().get_executor())) {
    session_.SetWaker([p = parked_](jobs::WaitResult r) {
      p->result = std::move(r);
      p->wake->Fire();
    });
  }

 private:
  core::Task<void> Serve() override {
    std::vector<char> buf(kReadChunk);
    std::string out;
    Clock::time_point command_started{};
    for (;;) {
      // Between commands no deadline (beanstalkd has none); once a command line or body has
      // started, --beanstalkd-read-timeout from its first byte, so trickling cannot extend it.
      const bool idle = session_.Idle();
      if (idle) {
        if (closing_soon()) break;
        MarkReusable();
        SetPhase(Phase::kIdle, Clock::time_point::max());
      } else {
        SetPhase(Phase::kReading, command_started + options_.read_timeout);
      }
      const std::size_t n = co_await ReadSome(core::net::buffer(buf));
      if (n == 0) break;
      if (idle) command_started = Clock::now();
      std::string_view in(buf.data(), n);
      bool ok = true;
      do {
        in.remove_prefix(session_.Feed(in, out));
        if (session_.Waiting()) {
          // Answer what came before the reserve, then park until the engine ends the wait.
          ok = co_await Reply(out);
          if (!ok) break;
          SetPhase(Phase::kBusy, Clock::time_point::max());
          co_await parked_->wake->Wait();
          parked_->wake->Reset();
          session_.CompleteWait(*parked_->result, out);
          parked_->result.reset();
        }
        ok = co_await Reply(out);
        if (!ok) break;
      } while (!in.empty() && !session_.ShouldClose());
      if (!ok || session_.ShouldClose()) break;
    }
    session_.Close();  // release its jobs before the client can see the connection end
  }

  // Writes `out` once what it reports is durable. False: the client is gone or stopped reading.
  core::Task<bool> Reply(std::string& out) {
    const jobs::Lsn lsn = session_.TakeLsn();
    if (log_ != nullptr && lsn != 0 && !log_->Commit(lsn)) {
      SetPhase(Phase::kBusy, Clock::time_point::max());
      auto synced = std::make_shared<Wakeup>(socket().get_executor());
      log_->WhenSynced(lsn, [synced] { synced->Fire(); });
      co_await synced->Wait();  // group commit: one fsync for every connection waiting now
    }
    if (out.empty()) co_return true;
    // A client not reading its replies gets the read timeout to take them.
    const bool ok = co_await Flush(out, Clock::now() + options_.read_timeout);
    co_return ok;
  }

  beanstalk::Session session_;
  wal::Wal* const log_;
  const core::TextProtocolServerOptions& options_;
  std::shared_ptr<Parked> parked_;
};

class BeanstalkProtocol final : public core::TcpProtocol {
 public:
  BeanstalkProtocol(beanstalk::Service& service, wal::Wal* log,
                    core::TextProtocolServerOptions options)
      : service_(service), log_(log), options_(std::move(options)) {}

  std::shared_ptr<core::TcpConnection> MakeConnection(core::net::ip::tcp::socket socket) override {
    return std::make_shared<BeanstalkConnection>(std::move(socket), service_, log_, options_);
  }
  std::string_view RefusalBytes() const override { return "OUT_OF_MEMORY\r\n"; }

 private:
  beanstalk::Service& service_;
  wal::Wal* const log_;
  const core::TextProtocolServerOptions options_;
};

}  // namespace

BeanstalkServer::BeanstalkServer(beanstalk::Service& service, wal::Wal* log,
                                 core::TextProtocolServerOptions options)
    : TextProtocolServer("beanstalkd", std::make_unique<BeanstalkProtocol>(service, log, options),
                         options) {}

}  // namespace jobs_server
