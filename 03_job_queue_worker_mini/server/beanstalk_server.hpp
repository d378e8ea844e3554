// The beanstalkd protocol over TCP (--beanstalkd-port, default 11300): what lets existing
// beanstalkd clients (beaneater, pystalk, go-beanstalk) use sd-jobqueue unchanged.
//
// Transport only: beanstalk::Session is the protocol, and the project's TextProtocolServer
// (core/net, shared with 04's memcached port) does the rest — worker threads, accept loop,
// connection cap (beanstalkd clients keep long-lived connections, so idle ones are not reclaimed;
// refused ones read OUT_OF_MEMORY, beanstalkd's "try again later"), descriptors, shutdown. What
// this loop adds: a reserve that must wait parks the connection until the engine fires its Wakeup;
// replies that change durable state are held until the write-ahead log says they are durable
// (--fsync), so "INSERTED 7" is never sent for a job a crash could lose.
#pragma once

#include "03_job_queue_worker_mini/protocol/beanstalk_session.hpp"
#include "03_job_queue_worker_mini/wal/wal.hpp"
#include "core/net/text_protocol_server.hpp"

namespace jobs_server {

// Listen, Start, Stop, port and connection_stats come from core::TextProtocolServer; its
// read_timeout bounds a command line or job body once started (beanstalkd has none: a client that
// stops mid-body would hold its buffer forever).
class BeanstalkServer final : public core::TextProtocolServer {
 public:
  // `service` (and `log`, if given) must outlive the server.
  BeanstalkServer(beanstalk::Service& service, wal::Wal* log,
                  core::TextProtocolServerOptions options);
};

}  // namespace jobs_server
