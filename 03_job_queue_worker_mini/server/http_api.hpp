// sd-jobqueue's HTTP JSON API, over the same engine as the beanstalkd port:
//
//   POST   /v1/tubes/{tube}/jobs  {"body", "priority"?=1024, "delay_ms"?=0, "ttr_ms"?=60000}
//                                 → 201 {"id","tube","state"}; 413 too big; 503 + Retry-After full
//                                   or draining; 400 bad JSON, field or tube name
//   POST   /v1/reserve            {"tubes"?=["default"], "timeout_ms"?=0} (long poll, capped by
//                                 --max-reserve-wait) → 200 {"id","tube","body","lease",
//                                 "attempts","ttr_ms"}, or 204 when nothing came in time
//   POST   /v1/jobs/{id}/ack      {"lease"} → 204 (deleted)
//   POST   /v1/jobs/{id}/nack     {"lease"} → 200 {"state":"delayed","retry_in_ms","attempts"} or,
//                                 after --max-attempts, {"state":"buried","attempts"}
//   POST   /v1/jobs/{id}/touch    {"lease"} → 204 (lease restarted)
//   POST   /v1/jobs/{id}/bury     {"lease"} → 204
//   POST   /v1/tubes/{tube}/kick  {"bound"?=1} → 200 {"kicked"}
//   GET    /v1/jobs/{id}          → 200 the job's state and counters; DELETE → 204 (not reserved)
//   GET    /v1/tubes/{tube}, GET /v1/stats → 200 counts
// A lease is the reserve count the job had when it was handed out: HTTP has no connection to own
// a reservation, so a worker proves it holds the job by quoting it; a stale lease (the TTR ran
// out and someone else has the job) gets 409, an unknown job 404. The rules live in the JobStore
// (store/job_store.hpp: the in-memory engine with its log, or PostgreSQL); this layer is JSON.
#pragma once

#include <chrono>

#include "03_job_queue_worker_mini/store/job_store.hpp"
#include "core/http/router.hpp"

namespace jobs_server {

struct HttpApiOptions {
  std::chrono::milliseconds max_reserve_wait{30'000};
  std::chrono::seconds retry_after{1};  // Retry-After on 503
};

class JobsHttpApi {
 public:
  // `store` must outlive the router.
  JobsHttpApi(jobs_store::JobStore& store, HttpApiOptions options)
      : store_(store), options_(options) {}

  void Register(core::Router& router);

  core::Task<void> Enqueue(core::Exchange& ex);
  core::Task<void> Reserve(core::Exchange& ex);
  core::Task<void> Ack(core::Exchange& ex);
  core::Task<void> Nack(core::Exchange& ex);
  core::Task<void> Touch(core::Exchange& ex);
  core::Task<void> Bury(core::Exchange& ex);
  core::Task<void> Kick(core::Exchange& ex);
  core::Task<void> Status(core::Exchange& ex);
  core::Task<void> Delete(core::Exchange& ex);
  core::Task<void> TubeStats(core::Exchange& ex);
  core::Task<void> Stats(core::Exchange& ex);

 private:
  jobs_store::JobStore& store_;
  const HttpApiOptions options_;
};

}  // namespace jobs_server
