#include "03_job_queue_worker_mini/server/http_api.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <limits>
#include <memory>
#include <optional>

#include "03_job_queue_worker_mini/engine/engine.hpp"
#include "core/http/exchange.hpp"

namespace jobs_server {

namespace json = boost::json;
using core::Code;
using core::Error;
using core::http::status;

namespace {

constexpr std::uint64_t kU32Max = std::numeric_limits<std::uint32_t>::max();

core::Result<json::object> BodyObject(const core::Exchange& ex) {
  if (ex.request.body().empty()) return json::object();
  boost::system::error_code ec;
  json::value v = json::parse(ex.request.body(), ec);
  if (ec) return Error(Code::kInvalidArgument, "body is not valid JSON: " + ec.message());
  if (!v.is_object()) return Error(Code::kInvalidArgument, "the body must be a JSON object");
  return std::move(v.as_object());
}

// A whole number in [0, max], or `fallback` when absent.
core::Result<std::uint64_t> UintField(const json::object& o, std::string_view name,
                                      std::optional<std::uint64_t> fallback, std::uint64_t max) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr) {
    if (fallback) return *fallback;
    return Error(Code::kInvalidArgument, std::string(name) + ": required");
  }
  std::uint64_t n = 0;
  if (v->is_uint64()) {
    n = v->as_uint64();
  } else if (v->is_int64() && v->as_int64() >= 0) {
    n = static_cast<std::uint64_t>(v->as_int64());
  } else {
    return Error(Code::kInvalidArgument, std::string(name) + ": expected a whole number");
  }
  if (n > max) {
    return Error(Code::kInvalidArgument,
                 std::string(name) + ": must be at most " + std::to_string(max));
  }
  return n;
}

core::Result<std::string> TubeOf(std::string_view name) {
  if (!jobs::IsValidTubeName(name)) {
    return Error(Code::kInvalidArgument,
                 "tube: 1..200 of A-Z a-z 0-9 - + / ; . $ _ ( ), not starting with '-'");
  }
  return std::string(name);
}

core::Result<jobs::JobId> IdOf(const core::Exchange& ex) {
  const std::string_view text = ex.params.Get("id");
  jobs::JobId id = 0;
  bool ok = !text.empty() && text.size() <= 19;
  for (char c : text) {
    ok = ok && c >= '0' && c <= '9';
    if (ok) id = id * 10 + static_cast<jobs::JobId>(c - '0');
  }
  if (!ok) return Error(Code::kInvalidArgument, "id: a job number");
  return id;
}

core::Result<std::uint32_t> LeaseOf(const core::Exchange& ex) {
  auto body = BodyObject(ex);
  if (!body) return body.error();
  auto lease = UintField(*body, "lease", std::nullopt, kU32Max);
  if (!lease) return lease.error();
  return static_cast<std::uint32_t>(*lease);
}

std::string StateWord(jobs::JobState s) { return std::string(jobs::NameOf(s)); }
std::int64_t Ms(std::int64_t ns) { return ns / 1'000'000; }

// Fails `ex` with the error of a Result, returning true (for `if (FailOn(ex, r)) co_return;`).
template <class T>
bool FailOn(core::Exchange& ex, const core::Result<T>& r) {
  if (r) return false;
  ex.Fail(r.error());
  return true;
}

// 204 for a lease-guarded command that succeeded, else its error.
void NoContentOr(core::Exchange& ex, const core::Result<void>& r) {
  if (FailOn(ex, r)) return;
  ex.response.result(status::no_content);
}

}  // namespace

void JobsHttpApi::Register(core::Router& router) {
  router.Post("/v1/tubes/{tube}/jobs", [this](core::Exchange& ex) { return Enqueue(ex); });
  router.Post("/v1/tubes/{tube}/kick", [this](core::Exchange& ex) { return Kick(ex); });
  router.Get("/v1/tubes/{tube}", [this](core::Exchange& ex) { return TubeStats(ex); });
  router.Post("/v1/reserve", [this](core::Exchange& ex) { return Reserve(ex); });
  router.Post("/v1/jobs/{id}/ack", [this](core::Exchange& ex) { return Ack(ex); });
  router.Post("/v1/jobs/{id}/nack", [this](core::Exchange& ex) { return Nack(ex); });
  router.Post("/v1/jobs/{id}/touch", [this](core::Exchange& ex) { return Touch(ex); });
  router.Post("/v1/jobs/{id}/bury", [this](core::Exchange& ex) { return Bury(ex); });
  router.Get("/v1/jobs/{id}", [this](core::Exchange& ex) { return Status(ex); });
  router.Delete("/v1/jobs/{id}", [this](core::Exchange& ex) { return Delete(ex); });
  router.Get("/v1/stats", [this](core::Exchange& ex) { return Stats(ex); });
}

core::Task<void> JobsHttpApi::Enqueue(core::Exchange& ex) {
  auto tube = TubeOf(ex.params.Get("tube"));
  if (FailOn(ex, tube)) co_return;
  auto body = BodyObject(ex);
  if (FailOn(ex, body)) co_return;
  const json::value* text = body->if_contains("body");
  if (text == nullptr || !text->is_string()) {
    ex.Fail(Error(Code::kInvalidArgument, "body: a string is required"));
    co_return;
  }
  auto pri = UintField(*body, "priority", 1024, kU32Max);
  if (FailOn(ex, pri)) co_return;
  auto delay = UintField(*body, "delay_ms", 0, kU32Max);
  if (FailOn(ex, delay)) co_return;
  auto ttr = UintField(*body, "ttr_ms", 60'000, kU32Max);
  if (FailOn(ex, ttr)) co_return;

  jobs_store::NewJob job;
  job.tube = *tube;
  job.pri = static_cast<std::uint32_t>(*pri);
  job.delay = std::chrono::milliseconds(*delay);
  job.ttr = std::chrono::milliseconds(*ttr);
  job.body = std::string(text->as_string());
  core::Result<jobs_store::Enqueued> put = co_await store_.Put(std::move(job));
  if (!put) {
    ex.Fail(put.error());
    if (put.error().code == Code::kUnavailable) {  // full, draining, database away: try later
      ex.response.set(core::http::field::retry_after, std::to_string(options_.retry_after.count()));
    }
    co_return;
  }
  json::object o;
  o["id"] = put->id;
  o["tube"] = *tube;
  o["state"] = put->delayed ? "delayed" : "ready";
  ex.Json(status::created, json::serialize(o));
}

core::Task<void> JobsHttpApi::Reserve(core::Exchange& ex) {
  auto body = BodyObject(ex);
  if (FailOn(ex, body)) co_return;
  std::vector<std::string> tubes;
  if (const json::value* list = body->if_contains("tubes")) {
    if (!list->is_array() || list->as_array().empty() || list->as_array().size() > 100) {
      ex.Fail(Error(Code::kInvalidArgument, "tubes: a list of 1..100 tube names"));
      co_return;
    }
    for (const json::value& t : list->as_array()) {
      auto name = t.is_string() ? TubeOf(std::string_view(t.as_string()))
                                : core::Result<std::string>(
                                      Error(Code::kInvalidArgument, "tubes: names are strings"));
      if (FailOn(ex, name)) co_return;
      tubes.push_back(*name);
    }
  } else {
    tubes.push_back("default");
  }
  auto timeout_ms = UintField(*body, "timeout_ms", 0, kU32Max);
  if (FailOn(ex, timeout_ms)) co_return;
  const auto timeout = std::min<std::chrono::milliseconds>(std::chrono::milliseconds(*timeout_ms),
                                                           options_.max_reserve_wait);
  core::Result<std::optional<jobs_store::ReservedJob>> got =
      co_await store_.Reserve(std::move(tubes), timeout);
  if (FailOn(ex, got)) co_return;
  if (!*got) {
    ex.response.result(status::no_content);
    co_return;
  }
  const jobs_store::ReservedJob& job = **got;
  json::object o;
  o["id"] = job.id;
  o["tube"] = job.tube;
  o["body"] = job.body;
  o["lease"] = job.lease;
  o["attempts"] = job.lease;
  o["ttr_ms"] = job.ttr_ms;
  ex.Json(status::ok, json::serialize(o));
}

core::Task<void> JobsHttpApi::Ack(core::Exchange& ex) {
  auto id = IdOf(ex);
  if (FailOn(ex, id)) co_return;
  auto lease = LeaseOf(ex);
  if (FailOn(ex, lease)) co_return;
  core::Result<void> r = co_await store_.Ack(*id, *lease);
  NoContentOr(ex, r);
}

core::Task<void> JobsHttpApi::Nack(core::Exchange& ex) {
  auto id = IdOf(ex);
  if (FailOn(ex, id)) co_return;
  auto lease = LeaseOf(ex);
  if (FailOn(ex, lease)) co_return;
  core::Result<jobs_store::NackOutcome> r = co_await store_.Nack(*id, *lease);
  if (FailOn(ex, r)) co_return;
  json::object o;
  o["state"] = r->buried ? "buried" : (r->retry_in.count() > 0 ? "delayed" : "ready");
  o["attempts"] = r->attempts;
  if (!r->buried) o["retry_in_ms"] = r->retry_in.count();
  ex.Json(status::ok, json::serialize(o));
}

core::Task<void> JobsHttpApi::Touch(core::Exchange& ex) {
  auto id = IdOf(ex);
  if (FailOn(ex, id)) co_return;
  auto lease = LeaseOf(ex);
  if (FailOn(ex, lease)) co_return;
  core::Result<void> r = co_await store_.Touch(*id, *lease);
  NoContentOr(ex, r);
}

core::Task<void> JobsHttpApi::Bury(core::Exchange& ex) {
  auto id = IdOf(ex);
  if (FailOn(ex, id)) co_return;
  auto lease = LeaseOf(ex);
  if (FailOn(ex, lease)) co_return;
  core::Result<void> r = co_await store_.Bury(*id, *lease);
  NoContentOr(ex, r);
}

core::Task<void> JobsHttpApi::Kick(core::Exchange& ex) {
  auto tube = TubeOf(ex.params.Get("tube"));
  if (FailOn(ex, tube)) co_return;
  auto body = BodyObject(ex);
  if (FailOn(ex, body)) co_return;
  auto bound = UintField(*body, "bound", 1, kU32Max);
  if (FailOn(ex, bound)) co_return;
  core::Result<std::size_t> kicked = co_await store_.Kick(*tube, *bound);
  if (FailOn(ex, kicked)) co_return;
  json::object o;
  o["kicked"] = *kicked;
  ex.Json(status::ok, json::serialize(o));
}

core::Task<void> JobsHttpApi::Status(core::Exchange& ex) {
  auto id = IdOf(ex);
  if (FailOn(ex, id)) co_return;
  core::Result<jobs::JobStats> s = co_await store_.Job(*id);
  if (FailOn(ex, s)) co_return;
  json::object o;
  o["id"] = s->id;
  o["tube"] = s->tube;
  o["state"] = StateWord(s->state);
  o["priority"] = s->pri;
  o["age_ms"] = Ms(s->age_ns);
  o["delay_ms"] = Ms(s->delay_ns);
  o["ttr_ms"] = Ms(s->ttr_ns);
  o["time_left_ms"] = Ms(s->time_left_ns);
  o["reserves"] = s->reserves;
  o["timeouts"] = s->timeouts;
  o["releases"] = s->releases;
  o["buries"] = s->buries;
  o["kicks"] = s->kicks;
  ex.Json(status::ok, json::serialize(o));
}

core::Task<void> JobsHttpApi::Delete(core::Exchange& ex) {
  auto id = IdOf(ex);
  if (FailOn(ex, id)) co_return;
  core::Result<void> r = co_await store_.Delete(*id);
  NoContentOr(ex, r);
}

core::Task<void> JobsHttpApi::TubeStats(core::Exchange& ex) {
  auto tube = TubeOf(ex.params.Get("tube"));
  if (FailOn(ex, tube)) co_return;
  core::Result<jobs::TubeStats> s = co_await store_.Tube(*tube);
  if (FailOn(ex, s)) co_return;
  json::object o;
  o["name"] = s->name;
  o["ready"] = s->ready;
  o["urgent"] = s->urgent;
  o["reserved"] = s->reserved;
  o["delayed"] = s->delayed;
  o["buried"] = s->buried;
  o["total_jobs"] = s->total_jobs;
  o["waiting"] = s->waiting;
  o["paused_ms_left"] = Ms(s->pause_left_ns);
  ex.Json(status::ok, json::serialize(o));
}

core::Task<void> JobsHttpApi::Stats(core::Exchange& ex) {
  core::Result<jobs::EngineStats> r = co_await store_.Stats();
  if (FailOn(ex, r)) co_return;
  const jobs::EngineStats& s = *r;
  json::object o;
  o["ready"] = s.ready;
  o["urgent"] = s.urgent;
  o["reserved"] = s.reserved;
  o["delayed"] = s.delayed;
  o["buried"] = s.buried;
  o["jobs"] = s.jobs;
  o["bytes"] = s.bytes;
  o["tubes"] = s.tubes;
  o["draining"] = s.draining;
#define JOBS_COUNTER_JSON(field, suffix, help) o[suffix] = s.counters.field;
  JOBS_ENGINE_COUNTERS(JOBS_COUNTER_JSON)
#undef JOBS_COUNTER_JSON
  ex.Json(status::ok, json::serialize(o));
}

}  // namespace jobs_server
