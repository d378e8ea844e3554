// reliability_sim: the experiments in virtual time. The real Pipeline — the policy and pipeline
// libraries as the service runs them — calls a simulated upstream (lab::UpstreamModel) whose
// latencies are fake timers on a FakeClock that this program moves from event to event. A minute
// of traffic at hundreds of calls per second runs in seconds, identically on every run (seeded),
// with none of the shared machine's noise in it. What is simulated is the upstream and the
// network; what decides (retries, budget, breaker, hedges) is the production code.
//
//   reliability_sim storm   --policy none|naive|budget|budget1s|breaker|both   per-second load,
//                                                                      goodput, breaker state
//   reliability_sim breaker --policy none|naive|breaker|tuned          an outage from 10 s to 22 s
//   reliability_sim hedge   --policy none|p90|p95|p95x2|fixed50        latency percentiles, load
//   reliability_sim jitter  --clients N                               the AWS contention experiment
//
// Output: CSV on stdout (the bench/ scripts turn it into tables and SVGs).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <queue>
#include <vector>

#include "06_reliability_patterns_mini/lab/upstream_model.hpp"
#include "06_reliability_patterns_mini/pipeline/pipeline.hpp"

namespace reliability::sim {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Dur = core::Clock::duration;

struct Second {
  std::uint64_t calls = 0, upstream_requests = 0, succeeded = 0, failed = 0;
  int breaker_open_ms = 0;    // of this second, how long the breaker was not closed (10 ms samples)
  int first_success_ms = -1;  // when, within this second, the first call that succeeded arrived
};

struct Sim {
  explicit Sim(std::uint64_t seed, lab::UpstreamBehavior behavior)
      : random(seed), arrivals(seed * 7 + 1), model(std::move(behavior), seed, clock) {}

  Second& Bucket() {
    const auto s =
        static_cast<std::size_t>(std::chrono::duration_cast<seconds>(clock.Now() - start).count());
    if (s >= buckets.size()) buckets.resize(s + 1);
    return buckets[s];
  }

  core::FakeClock clock;
  FakeTimerDriver timers{clock};
  SeededRandom random;    // the pipeline's (jitter)
  SeededRandom arrivals;  // the load's
  net::io_context io{1};
  lab::UpstreamModel model;
  std::unique_ptr<Pipeline> pipeline;
  Operation<int> op;
  Classifier<int> classify;
  const TimePoint start = clock.Now();
  std::vector<Second> buckets;
  std::vector<double> latencies_ms;  // every call's, in completion order
  std::uint64_t attempts = 0;
};

Task<void> Sleep(Sim* s, Dur d) {
  net::steady_timer timer(co_await net::this_coro::executor);
  s->timers.Arm(timer, s->clock.Now() + d);
  co_await timer.async_wait(core::kUseTuple);
  s->timers.Forget(timer);
}

// The upstream keeps working on a request its client gave up on: that wasted work is what turns
// retries into a storm.
Task<void> ServerWork(Sim* s, Dur d) {
  co_await Sleep(s, d);
  s->model.Finish();
}

Task<core::Result<int>> SimAttempt(Sim* s, Attempt) {
  const lab::Reply reply = s->model.Begin();
  ++s->Bucket().upstream_requests;
  net::co_spawn(s->io, ServerWork(s, reply.latency), net::detached);  // not cancellable
  const TimePoint due = s->clock.Now() + reply.latency;
  net::steady_timer timer(co_await net::this_coro::executor);
  s->timers.Arm(timer, due);
  co_await timer.async_wait(core::kUseTuple);
  s->timers.Forget(timer);
  if (s->clock.Now() < due) co_return core::Error(core::Code::kUnavailable, "cancelled");
  co_return reply.status;
}

Classification ClassifyStatus(const core::Result<int>& r) {
  if (!r) return ClassifyError(r.error(), /*idempotent=*/true);
  return ClassifyHttp(
      {.failure = TransportFailure::kNone, .status = *r, .retry_after = {}, .idempotent = true},
      std::chrono::system_clock::now());
}

Task<void> OneCall(Sim* s) {
  const TimePoint start = s->clock.Now();
  const std::size_t index =
      static_cast<std::size_t>(std::chrono::duration_cast<seconds>(start - s->start).count());
  CallResult<int> r = co_await s->pipeline->Execute<int>(s->op, s->classify, {.trace = false});
  // Counted in the second the call arrived in (by index: the vector may have grown meanwhile).
  if (index >= s->buckets.size()) s->buckets.resize(index + 1);
  Second& b = s->buckets[index];
  ++b.calls;
  const bool ok = r.result && *r.result < 400;
  ++(ok ? b.succeeded : b.failed);
  const auto at_ms =
      static_cast<int>(std::chrono::duration_cast<milliseconds>(start - s->start).count() % 1000);
  if (ok && (b.first_success_ms < 0 || at_ms < b.first_success_ms)) b.first_success_ms = at_ms;
  s->latencies_ms.push_back(
      std::chrono::duration<double, std::milli>(s->clock.Now() - start).count());
}

// Poisson arrivals at `rate` per second until `until`.
Task<void> Arrivals(Sim* s, double rate, TimePoint until) {
  while (s->clock.Now() < until) {
    const double gap = -std::log(1.0 - s->arrivals.Uniform01()) / rate;
    co_await Sleep(s, std::chrono::duration_cast<Dur>(std::chrono::duration<double>(gap)));
    if (s->clock.Now() >= until) break;
    net::co_spawn(s->io, OneCall(s), net::detached);
  }
}

// Every 10 ms: is the breaker letting traffic through?
Task<void> Sampler(Sim* s, TimePoint until) {
  while (s->clock.Now() < until) {
    if (CircuitBreaker* b = s->pipeline->breaker()) {
      if (b->state() != BreakerState::kClosed) s->Bucket().breaker_open_ms += 10;
    }
    co_await Sleep(s, milliseconds(10));
  }
}

// A change of the upstream's behaviour at a second of the run, optionally an outage from then on.
struct Change {
  int at = 0;
  lab::UpstreamBehavior behavior;
  Dur down_for{};
};

Task<void> At(Sim* s, Change change) {
  co_await Sleep(s, s->start + seconds(change.at) - s->clock.Now());
  if (change.down_for.count() > 0) change.behavior.down_until = s->clock.Now() + change.down_for;
  s->model.Set(std::move(change.behavior));
}

void Run(Sim& s, TimePoint until) {
  // Drain: after the last arrival, let every call finish (bounded: the deadline is 15 s at most).
  const TimePoint stop = until + seconds(30);
  for (std::uint64_t events = 0; events < 200'000'000; ++events) {
    s.io.restart();
    s.io.poll();
    if (!s.timers.AdvanceToNext() || s.clock.Now() > stop) break;
  }
  s.io.restart();
  s.io.poll();
}

struct Options {
  std::string policy = "none";
  double rate = 800;
  int seconds = 60;
  std::uint64_t seed = 1;
  int clients = 50;
  int runs = 20;
};

PipelineOptions PolicyFor(const std::string& scenario, const std::string& name) {
  PipelineOptions o;   // the documented defaults: budget, breaker and bulkhead on
  o.bulkhead.reset();  // the sim measures the upstream, not our own concurrency limit
  if (scenario == "storm" || scenario == "breaker") {
    o.timeout = {.attempt = milliseconds(100), .total = seconds(1)};
    if (name == "none") {
      o.retry.max_attempts = 1;
      o.budget.reset();
      o.breaker.reset();
    } else if (name == "naive") {
      o.budget.reset();
      o.breaker.reset();
    } else if (name == "budget") {
      o.breaker.reset();
    } else if (name == "budget1s") {  // the same share, spread: a one-second window
      o.breaker.reset();
      o.budget->window = seconds(1);
    } else if (name == "breaker") {
      o.budget.reset();
    } else if (name == "tuned") {  // a breaker that notices and re-checks faster
      o.budget.reset();
      o.breaker->window_size = 20;
      o.breaker->minimum_calls = 20;
      o.breaker->open_wait = seconds(1);
    } else if (name != "both") {
      throw CLI::ValidationError("--policy", "unknown policy for " + scenario + ": " + name);
    }
  } else if (scenario == "hedge") {
    o.timeout = {.attempt = seconds(1), .total = seconds(2)};
    o.retry.max_attempts = 1;
    o.breaker.reset();
    if (name == "p95") {
      o.hedge = HedgeOptions{};  // p95 of recent latencies (Polly's 2 s until 100 samples)
    } else if (name == "p90") {
      o.hedge = HedgeOptions{};
      o.hedge->percentile = 90;
    } else if (name == "p95x2") {
      o.hedge = HedgeOptions{};
      o.hedge->max_hedges = 2;
    } else if (name == "fixed50") {
      o.hedge = HedgeOptions{};
      o.hedge->percentile = 0;
      o.hedge->delay = milliseconds(50);
    } else if (name != "none") {
      throw CLI::ValidationError("--policy", "unknown policy for hedge: " + name);
    }
  }
  return o;
}

void Setup(Sim& s, const PipelineOptions& o) {
  PipelineDeps deps;
  deps.clock = &s.clock;
  deps.random = &s.random;
  deps.timers = &s.timers;
  s.pipeline = Pipeline::Create("sim", o, deps).value();
  s.op = [p = &s](Attempt a) { return SimAttempt(p, a); };
  s.classify = ClassifyStatus;
}

void PrintTimeline(const Sim& s, const std::string& policy, int until) {
  for (int i = 0; i < until && i < static_cast<int>(s.buckets.size()); ++i) {
    const Second& b = s.buckets[static_cast<std::size_t>(i)];
    std::printf("%s,%d,%llu,%llu,%llu,%llu,%d,%d\n", policy.c_str(), i,
                static_cast<unsigned long long>(b.calls),
                static_cast<unsigned long long>(b.upstream_requests),
                static_cast<unsigned long long>(b.succeeded),
                static_cast<unsigned long long>(b.failed), b.breaker_open_ms, b.first_success_ms);
  }
}

// Load at opt.rate for opt.seconds, the breaker sampled, the behaviour changes applied at their
// times; then the per-second timeline on stdout.
int Timeline(const Options& opt, const std::string& scenario, lab::UpstreamBehavior initial,
             const std::vector<Change>& changes) {
  Sim s(opt.seed, std::move(initial));
  Setup(s, PolicyFor(scenario, opt.policy));
  const TimePoint until = s.start + seconds(opt.seconds);
  net::co_spawn(s.io, Arrivals(&s, opt.rate, until), net::detached);
  net::co_spawn(s.io, Sampler(&s, until), net::detached);
  for (const Change& change : changes) net::co_spawn(s.io, At(&s, change), net::detached);
  Run(s, until);
  std::printf(
      "policy,second,calls,upstream_requests,succeeded,failed,breaker_open_ms,first_success_ms\n");
  PrintTimeline(s, opt.policy, opt.seconds);
  return 0;
}

// An upstream near capacity: 20 ms per request, 20 at once at full speed (1,000 requests/s); from
// 10 s to 12 s it slows down five-fold (a GC storm, a noisy neighbour) and then recovers.
int Storm(const Options& opt) {
  lab::UpstreamBehavior healthy;
  healthy.latency = {.kind = lab::LatencyKind::kFixed, .ms = milliseconds(20)};
  healthy.capacity = 20;
  lab::UpstreamBehavior slow = healthy;
  slow.latency.ms = milliseconds(100);
  return Timeline(opt, "storm", healthy,
                  {{.at = 10, .behavior = slow}, {.at = 12, .behavior = healthy}});
}

// A healthy upstream (20 ms, no capacity limit) that fails every request at once from 10 s to
// 22 s (503), then recovers. Twelve seconds, not ten: a multiple of the default 5 s open wait would
// line the last probe up with the recovery and hide the delay an open breaker adds.
int Breaker(const Options& opt) {
  lab::UpstreamBehavior healthy;
  healthy.latency = {.kind = lab::LatencyKind::kFixed, .ms = milliseconds(20)};
  return Timeline(opt, "breaker", healthy,
                  {{.at = 10, .behavior = healthy, .down_for = seconds(12)}});
}

// A heavy-tailed upstream: 10 ms, but 5 % of requests take 20× as long (200 ms).
int Hedge(const Options& opt) {
  lab::UpstreamBehavior b;
  b.latency = {.kind = lab::LatencyKind::kBimodal,
               .ms = milliseconds(10),
               .slow_fraction = 0.05,
               .slow_factor = 20};
  Sim s(opt.seed, b);
  Setup(s, PolicyFor("hedge", opt.policy));
  const TimePoint until = s.start + seconds(opt.seconds);
  net::co_spawn(s.io, Arrivals(&s, opt.rate, until), net::detached);
  Run(s, until);
  // The first 10 s warm the latency window up; percentiles over the rest.
  std::vector<double> v(
      s.latencies_ms.begin() +
          std::min<std::ptrdiff_t>(static_cast<std::ptrdiff_t>(opt.rate * 10),
                                   static_cast<std::ptrdiff_t>(s.latencies_ms.size())),
      s.latencies_ms.end());
  std::sort(v.begin(), v.end());
  auto pct = [&](double p) {
    if (v.empty()) return 0.0;
    const auto k = static_cast<std::size_t>(std::ceil(p / 100 * static_cast<double>(v.size()))) - 1;
    return v[std::min(k, v.size() - 1)];
  };
  const PipelineStats st = s.pipeline->Stats();
  std::printf(
      "policy,calls,attempts_per_call,p50_ms,p90_ms,p99_ms,p999_ms,max_ms,hedges,hedges_won,"
      "budget_exhausted\n");
  std::printf(
      "%s,%llu,%.4f,%.2f,%.2f,%.2f,%.2f,%.2f,%llu,%llu,%llu\n", opt.policy.c_str(),
      static_cast<unsigned long long>(st.calls),
      static_cast<double>(st.attempts) / static_cast<double>(std::max<std::uint64_t>(1, st.calls)),
      pct(50), pct(90), pct(99), pct(99.9), v.empty() ? 0.0 : v.back(),
      static_cast<unsigned long long>(st.hedges), static_cast<unsigned long long>(st.hedges_won),
      static_cast<unsigned long long>(st.budget_exhausted));
  return 0;
}

// The AWS article's contention experiment: N clients each write once to one resource with
// optimistic concurrency. A write reads at t and commits at t + 1 ms; it fails if another write
// committed in between, and the client retries after its backoff. Every jitter, same clients.
int Contention(const Options& opt) {
  std::printf("jitter,clients,calls,completion_ms\n");
  const Dur rtt = milliseconds(1);
  for (Jitter j : {Jitter::kNone, Jitter::kFull, Jitter::kEqual, Jitter::kDecorrelated}) {
    const BackoffOptions bo{.kind = BackoffKind::kExponential,
                            .base = milliseconds(5),
                            .max = seconds(10),
                            .jitter = j};
    double calls_sum = 0, done_sum = 0;
    for (int run = 0; run < opt.runs; ++run) {  // the mean over seeds: one draw is noisy
      SeededRandom random(opt.seed + static_cast<std::uint64_t>(run));
      std::vector<Backoff> backoff(static_cast<std::size_t>(opt.clients), Backoff(bo));
      // (commit time, client): processed in commit order; ties by client number.
      using Event = std::pair<std::int64_t, int>;
      std::priority_queue<Event, std::vector<Event>, std::greater<>> commits;
      for (int c = 0; c < opt.clients; ++c) commits.push({rtt.count(), c});
      std::int64_t last_commit = -1, calls = 0, done_at = 0;
      while (!commits.empty()) {
        const auto [at, c] = commits.top();
        commits.pop();
        ++calls;
        if (last_commit <= at - rtt.count()) {
          last_commit = at;  // nobody wrote since we read: our write wins
          done_at = std::max(done_at, at);
        } else {
          const Dur wait = backoff[static_cast<std::size_t>(c)].Next(random);
          commits.push({at + wait.count() + rtt.count(), c});
        }
      }
      calls_sum += static_cast<double>(calls);
      done_sum += static_cast<double>(done_at) / 1e6;
    }
    std::printf("%s,%d,%.1f,%.3f\n", std::string(NameOf(j)).c_str(), opt.clients,
                calls_sum / opt.runs, done_sum / opt.runs);
  }
  return 0;
}

}  // namespace
}  // namespace reliability::sim

int main(int argc, char** argv) {
  using namespace reliability::sim;  // NOLINT: a program's main
  CLI::App app("The reliability experiments in virtual time (see the file's header)");
  std::string scenario;
  Options opt;
  app.add_option("scenario", scenario, "storm | breaker | hedge | jitter")
      ->required()
      ->check(CLI::IsMember({"storm", "breaker", "hedge", "jitter"}));
  app.add_option("--policy", opt.policy, "which policies (per scenario)");
  app.add_option("--rate", opt.rate, "calls per second (Poisson)")
      ->check(CLI::Range(1.0, 100000.0));
  app.add_option("--seconds", opt.seconds, "virtual seconds of load")->check(CLI::Range(1, 3600));
  app.add_option("--seed", opt.seed, "seed of every random draw");
  app.add_option("--clients", opt.clients, "jitter: writers racing")->check(CLI::Range(1, 100000));
  app.add_option("--runs", opt.runs, "jitter: seeds to average over")->check(CLI::Range(1, 1000));
  CLI11_PARSE(app, argc, argv);
  try {
    if (scenario == "storm") return Storm(opt);
    if (scenario == "breaker") return Breaker(opt);
    if (scenario == "hedge") return Hedge(opt);
    return Contention(opt);
  } catch (const CLI::Error& e) {
    return app.exit(e);
  }
}
