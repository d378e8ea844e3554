#include "06_reliability_patterns_mini/http/lab_service.hpp"

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json/parse.hpp>

#include "06_reliability_patterns_mini/http/http_call.hpp"
#include "06_reliability_patterns_mini/http/trace_json.hpp"
#include "core/base/log.hpp"
#include "core/http/problem.hpp"

namespace reliability {
namespace {

using core::http::status;

core::Error NotFound(std::string_view what, std::string_view name) {
  return core::Error(core::Code::kNotFound,
                     std::string(what) + " '" + std::string(name) + "' does not exist");
}

// Finishes a simulated request even if the server abandons the handler mid-sleep.
struct InFlight {
  lab::UpstreamModel* model;
  ~InFlight() { model->Finish(); }
};

std::uint64_t NameSeed(std::uint64_t seed, std::string_view name) {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a: stable across runs and builds
  for (const char c : name) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return seed ^ h;
}

// The problem+json of `error`, plus which policy refused and the trace.
std::string ProblemWithTrace(const core::Error& error, const core::Exchange& ex,
                             const CallTrace& trace) {
  const std::string* request_id = ex.attributes.Get(core::kRequestId);
  std::string body =
      core::ProblemJson(error, ex.Path(), request_id ? std::string_view(*request_id) : "");
  body.pop_back();  // the closing brace: extension members follow
  body += ",\"policy\":";
  AppendJsonString(body, NameOf(trace.refusal));
  body += ",\"trace\":";
  body += TraceJson(trace);
  body += '}';
  return body;
}

// The upstream's body inside our JSON: as JSON when it says it is and parses, else as a string.
void AppendBody(std::string& out, const core::Response& response) {
  const std::string& body = response.body();
  const std::string_view type = response[core::http::field::content_type];
  if (type.substr(0, 16) == "application/json") {
    boost::system::error_code ec;
    boost::json::parse(body, ec);
    if (!ec) {
      out += body;
      return;
    }
  }
  AppendJsonString(out, body);
}

std::optional<core::http::verb> ParseMethod(std::string_view m) {
  using core::http::verb;
  if (m == "GET") return verb::get;
  if (m == "POST") return verb::post;
  if (m == "PUT") return verb::put;
  if (m == "DELETE") return verb::delete_;
  return std::nullopt;
}

}  // namespace

// Every breaker transition is a log line: the event an on-call engineer greps for.
PipelineDeps LabService::Deps(const std::string& name) {
  PipelineDeps deps;
  deps.clock = &clock_;
  deps.on_breaker_transition = [name](const BreakerTransition& t) {
    core::log::Write(
        t.to == BreakerState::kOpen ? core::log::Level::kWarn : core::log::Level::kInfo,
        "circuit breaker transition",
        {{"upstream", name}, {"from", NameOf(t.from)}, {"to", NameOf(t.to)}, {"reason", t.reason}});
  };
  return deps;
}

bool IsValidUpstreamName(std::string_view name) noexcept {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

LabService::LabService(LabOptions options, core::HttpClient& client, core::Clock& clock)
    : options_(std::move(options)), client_(client), clock_(clock) {}

LabService::~LabService() = default;

UpstreamEntry* LabService::Find(std::string_view name) const {
  core::ReaderLock lock(mu_);
  return FindLocked(name);
}

UpstreamEntry* LabService::FindLocked(std::string_view name) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), name,
                             [](const auto& e, std::string_view n) { return e->name < n; });
  return it != entries_.end() && (*it)->name == name ? it->get() : nullptr;
}

core::Result<UpstreamEntry*> LabService::AddLocked(const std::string& name) {
  if (!IsValidUpstreamName(name)) {
    return core::Error(
        core::Code::kInvalidArgument,
        "upstream name '" + name.substr(0, 80) + "': 1 to 64 characters of A-Z a-z 0-9 . _ -");
  }
  if (FindLocked(name)) {
    return core::Error(core::Code::kConflict, "upstream '" + name + "' exists already");
  }
  auto it = std::lower_bound(entries_.begin(), entries_.end(), name,
                             [](const auto& e, const std::string& n) { return e->name < n; });
  if (entries_.size() >= options_.max_upstreams) {
    return core::Error(core::Code::kConflict,
                       "at most " + std::to_string(options_.max_upstreams) + " upstreams");
  }
  auto pipeline = Pipeline::Create(name, options_.policy, Deps(name));
  if (!pipeline) return pipeline.error();
  auto entry = std::make_unique<UpstreamEntry>();
  entry->name = name;
  entry->pipeline.store(std::shared_ptr<Pipeline>(std::move(*pipeline)));
  return entries_.insert(it, std::move(entry))->get();
}

core::Result<void> LabService::AddSimulated(const std::string& name,
                                            const lab::UpstreamBehavior& behavior) {
  core::WriterLock lock(mu_);
  auto entry = AddLocked(name);
  if (!entry) return core::Error(core::Code::kInvalidArgument, entry.error().detail);
  (*entry)->sim =
      std::make_unique<lab::UpstreamModel>(behavior, NameSeed(options_.seed, name), clock_);
  return {};
}

core::Result<void> LabService::AddExternal(const std::string& name, const std::string& url) {
  auto parsed = core::ParseHttpUrl(url);
  if (!parsed) return parsed.error();
  core::WriterLock lock(mu_);
  auto entry = AddLocked(name);
  if (!entry) return core::Error(core::Code::kInvalidArgument, entry.error().detail);
  (*entry)->url = url;
  (*entry)->external = parsed->first;
  (*entry)->external_target = parsed->second;
  return {};
}

void LabService::SetSelf(core::Upstream self) {
  self_ = std::move(self);
  has_self_.store(true, std::memory_order_release);
}

std::vector<const UpstreamEntry*> LabService::Entries() const {
  core::ReaderLock lock(mu_);
  std::vector<const UpstreamEntry*> out;
  for (const auto& e : entries_) out.push_back(e.get());
  return out;
}

void LabService::Install(core::Router& router) {
  router.Get("/upstream/{name}", [this](core::Exchange& ex) { return ServeUpstream(ex); });
  router.Post("/upstream/{name}", [this](core::Exchange& ex) { return ServeUpstream(ex); });
  router.Get("/call/{name}", [this](core::Exchange& ex) { return Call(ex); });
  router.Get("/v1/upstreams", [this](core::Exchange& ex) { return GetUpstreams(ex); });
  router.Get("/v1/upstreams/{name}", [this](core::Exchange& ex) { return GetUpstream(ex); });
  router.Put("/v1/upstreams/{name}", [this](core::Exchange& ex) { return PutUpstream(ex); });
  router.Get("/v1/breakers", [this](core::Exchange& ex) { return GetBreakers(ex); });
  router.Post("/v1/breakers/{name}/{action}",
              [this](core::Exchange& ex) { return BreakerAction(ex); });
  router.Get("/v1/policy", [this](core::Exchange& ex) { return GetPolicy(ex); });
  router.Get("/v1/policies/{name}", [this](core::Exchange& ex) { return GetUpstreamPolicy(ex); });
  router.Put("/v1/policies/{name}", [this](core::Exchange& ex) { return PutUpstreamPolicy(ex); });
}

Task<void> LabService::ServeUpstream(core::Exchange& ex) {
  const std::string_view name = ex.params.Get("name");
  UpstreamEntry* e = Find(name);
  if (!e || !e->sim) {
    ex.Fail(NotFound("simulated upstream", name));
    co_return;
  }
  const lab::Reply reply = e->sim->Begin();
  {
    InFlight in_flight{e->sim.get()};
    if (reply.latency.count() > 0) {
      net::steady_timer timer(co_await net::this_coro::executor, reply.latency);
      co_await timer.async_wait(core::kUseTuple);
    }
  }
  std::string body = "{\"upstream\":";
  AppendJsonString(body, name);
  body += ",\"status\":" + std::to_string(reply.status);
  body += reply.outage ? ",\"outage\":true" : ",\"outage\":false";
  body += ",\"latency_ms\":";
  AppendMillis(body, reply.latency);
  body += ",\"deadline_ms\":";
  auto deadline = ParseDeadlineHeader(ex.request[kDeadlineHeader]);
  body += deadline ? std::to_string(deadline->count()) : "null";
  body += '}';
  ex.Json(static_cast<status>(reply.status), std::move(body));
  if (reply.retry_after) {
    ex.response.set(core::http::field::retry_after, std::to_string(reply.retry_after->count()));
  }
}

Task<void> LabService::Call(core::Exchange& ex) {
  const std::string_view name = ex.params.Get("name");
  UpstreamEntry* e = Find(name);
  if (!e) {
    ex.Fail(NotFound("upstream", name));
    co_return;
  }
  const auto method = ParseMethod(ex.Query("method").value_or("GET"));
  if (!method) {
    ex.Fail(core::Error(core::Code::kInvalidArgument, "method: GET, POST, PUT or DELETE"));
    co_return;
  }
  const std::optional<std::string> safe = ex.Query("safe");
  if (safe && *safe != "true" && *safe != "false") {
    ex.Fail(core::Error(core::Code::kInvalidArgument, "safe: true or false"));
    co_return;
  }
  const std::optional<std::string> raw_param = ex.Query("raw");
  if (raw_param && *raw_param != "true" && *raw_param != "false") {
    ex.Fail(core::Error(core::Code::kInvalidArgument, "raw: true or false"));
    co_return;
  }
  const bool raw = raw_param == "true";
  CallOptions call;
  if (auto ms = ParseDeadlineHeader(ex.request[kDeadlineHeader])) {
    call.deadline = clock_.Now() + *ms;  // the caller's remaining budget is ours too
  }
  core::Upstream target = e->external;
  std::string path = e->external_target;
  if (e->sim) {
    if (!has_self_.load(std::memory_order_acquire)) {
      ex.Fail(core::Error(core::Code::kUnavailable, "not listening yet"));
      co_return;
    }
    target = self_;
    path = "/upstream/" + e->name;
  }
  core::Request request{*method, path, 11};
  const std::shared_ptr<Pipeline> pipeline = e->pipeline.load();
  CallResult<core::Response> r =
      co_await CallHttp(*pipeline, client_, std::move(target), std::move(request), &ex,
                        {.safe_to_retry = safe == "true"}, call);
  if (!r.result) {
    ex.Text(static_cast<status>(core::HttpStatusOf(r.result.error().code)),
            ProblemWithTrace(r.result.error(), ex, r.trace), core::kProblemContentType);
    co_return;
  }
  const int upstream_status = static_cast<int>(r.result->result_int());
  if (raw) {  // the proxy's answer: the upstream's status, body and type, and the attempt count
    const std::string type(r.result->base()[core::http::field::content_type]);
    ex.Text(static_cast<status>(upstream_status), std::move(r.result->body()),
            type.empty() ? "application/octet-stream" : type);
    ex.response.set("X-Attempts", std::to_string(r.trace.attempts.size()));
    co_return;
  }
  std::string body = "{\"upstream\":";
  AppendJsonString(body, e->name);
  body += ",\"status\":" + std::to_string(upstream_status) + ",\"body\":";
  AppendBody(body, *r.result);
  body += ",\"trace\":" + TraceJson(r.trace) + '}';
  ex.Json(static_cast<status>(upstream_status), std::move(body));
  auto retry_after = r.result->find(core::http::field::retry_after);
  if (retry_after != r.result->end()) {
    ex.response.set(core::http::field::retry_after, retry_after->value());
  }
}

std::string LabService::UpstreamJson(const UpstreamEntry& e) const {
  std::string out = "{\"name\":";
  AppendJsonString(out, e.name);
  if (e.sim) {
    const lab::UpstreamStats s = e.sim->Stats();
    out += ",\"kind\":\"simulated\",\"behavior\":" +
           lab::BehaviorToJson(e.sim->behavior(), clock_.Now());
    out += ",\"requests\":" + std::to_string(s.requests) +
           ",\"errors\":" + std::to_string(s.errors) +
           ",\"in_flight\":" + std::to_string(s.in_flight);
  } else {
    out += ",\"kind\":\"external\",\"url\":";
    AppendJsonString(out, e.url);
  }
  out += '}';
  return out;
}

Task<void> LabService::PutUpstream(core::Exchange& ex) {
  const std::string name(ex.params.Get("name"));
  auto behavior = lab::ParseBehavior(ex.request.body(), clock_.Now());
  if (!behavior) {
    ex.Fail(behavior.error());
    co_return;
  }
  UpstreamEntry* entry = nullptr;
  bool created = false;
  {
    core::WriterLock lock(mu_);
    entry = FindLocked(name);
    if (!entry) {
      auto added = AddLocked(name);
      if (!added) {
        ex.Fail(added.error());
        co_return;
      }
      entry = *added;
      entry->sim =
          std::make_unique<lab::UpstreamModel>(*behavior, NameSeed(options_.seed, name), clock_);
      created = true;
    }
  }
  if (!entry->sim) {
    ex.Fail(core::Error(core::Code::kConflict,
                        "upstream '" + name + "' is external: its behaviour is its own"));
    co_return;
  }
  if (!created) entry->sim->Set(*behavior);
  ex.Json(created ? status::created : status::ok, UpstreamJson(*entry));
}

Task<void> LabService::GetUpstreams(core::Exchange& ex) {
  std::string body = "{\"upstreams\":[";
  bool first = true;
  for (const UpstreamEntry* e : Entries()) {
    if (!first) body += ',';
    first = false;
    body += UpstreamJson(*e);
  }
  body += "]}";
  ex.Json(status::ok, std::move(body));
  co_return;
}

Task<void> LabService::GetUpstream(core::Exchange& ex) {
  const UpstreamEntry* e = Find(ex.params.Get("name"));
  if (!e) {
    ex.Fail(NotFound("upstream", ex.params.Get("name")));
    co_return;
  }
  ex.Json(status::ok, UpstreamJson(*e));
}

Task<void> LabService::GetBreakers(core::Exchange& ex) {
  std::string body = "{\"breakers\":[";
  bool first = true;
  const auto now = clock_.Now();
  for (const UpstreamEntry* e : Entries()) {
    const std::shared_ptr<Pipeline> pipeline = e->pipeline.load();
    CircuitBreaker* breaker = pipeline->breaker();
    if (!breaker) continue;
    if (!first) body += ',';
    first = false;
    body += BreakerJson(e->name, breaker->Snapshot(), now);
  }
  body += "]}";
  ex.Json(status::ok, std::move(body));
  co_return;
}

Task<void> LabService::BreakerAction(core::Exchange& ex) {
  const std::string_view name = ex.params.Get("name");
  const std::string_view action = ex.params.Get("action");
  UpstreamEntry* e = Find(name);
  const std::shared_ptr<Pipeline> pipeline = e ? e->pipeline.load() : nullptr;
  CircuitBreaker* breaker = pipeline ? pipeline->breaker() : nullptr;
  if (!breaker) {
    ex.Fail(NotFound("breaker", name));
    co_return;
  }
  if (action == "open") {
    breaker->ForceOpen();
  } else if (action == "close") {
    breaker->Close();
  } else if (action == "reset") {
    breaker->Reset();
  } else if (action == "disable") {
    breaker->Disable();
  } else {
    ex.Fail(core::Error(core::Code::kNotFound, "breaker action '" +
                                                   std::string(action.substr(0, 32)) +
                                                   "': open, close, reset or disable"));
    co_return;
  }
  ex.Json(status::ok, BreakerJson(name, breaker->Snapshot(), clock_.Now()));
}

Task<void> LabService::GetPolicy(core::Exchange& ex) {
  ex.Json(status::ok, PipelineOptionsToJson(options_.policy));
  co_return;
}

Task<void> LabService::GetUpstreamPolicy(core::Exchange& ex) {
  const UpstreamEntry* e = Find(ex.params.Get("name"));
  if (!e) {
    ex.Fail(NotFound("upstream", ex.params.Get("name")));
    co_return;
  }
  ex.Json(status::ok, PipelineOptionsToJson(e->pipeline.load()->options()));
}

Task<void> LabService::PutUpstreamPolicy(core::Exchange& ex) {
  UpstreamEntry* e = Find(ex.params.Get("name"));
  if (!e) {
    ex.Fail(NotFound("upstream", ex.params.Get("name")));
    co_return;
  }
  auto options = ParsePipelineOptions(ex.request.body());
  if (!options) {
    ex.Fail(options.error());
    co_return;
  }
  auto pipeline = Pipeline::Create(e->name, *options, Deps(e->name));
  if (!pipeline) {
    ex.Fail(pipeline.error());
    co_return;
  }
  e->pipeline.store(std::shared_ptr<Pipeline>(std::move(*pipeline)));
  ex.Json(status::ok, PipelineOptionsToJson(*options));
}

}  // namespace reliability
