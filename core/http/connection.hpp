// One HTTP/1.1 connection (internal to core/http; services never see it): the read → parse →
// handle → write loop on a TcpConnection (core/net), which owns the socket, the deadline watchdog,
// in-place writes and lingering close.
//
// Pipelined requests are answered in order and their responses batched into one write. Phases
// and their deadlines: idle (keep-alive wait, --idle-timeout), header (from the first byte, so
// trickling bytes cannot extend it: --header-timeout), body (--body-timeout), handling (never
// timed out here: handlers own their deadlines), writing (--write-timeout, only when a write
// could not complete in place).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/http/middleware.hpp"
#include "core/http/request_reader.hpp"
#include "core/http/server_options.hpp"
#include "core/net/tcp_connection.hpp"

namespace core {

class HttpConnection final : public TcpConnection {
 public:
  // `options`, `pipeline` and `body_budget` must outlive the connection (the server owns them).
  HttpConnection(tcp::socket socket, const ServerOptions& options, const Pipeline& pipeline,
                 ByteBudget& body_budget);

 private:
  Task<void> Serve() override;

  Task<void> Handle();
  Task<bool> Write();
  Task<bool> ReadMore();
  void AppendError(const Error& error);
  void EnterIdle();
  void EnterReading(bool body);

  const ServerOptions& options_;
  const Pipeline& pipeline_;
  RequestReader reader_;
  std::string out_;
  bool sent_continue_ = false;
  bool close_after_write_ = false;
  bool reading_body_ = false;
  Clock::time_point reading_since_{};  // when the current header (or body) began arriving
};

}  // namespace core
