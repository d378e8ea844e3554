// PgJobStore against a real PostgreSQL started by the test (as `nobody` when run as root), each
// test in a schema of its own. Two stores on two pools stand for two sd-jobqueue instances.
#include "03_job_queue_worker_mini/store/pg_job_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <memory>
#include <set>
#include <thread>

#include "core/pg/testing/pg_test_server.hpp"

namespace jobs_store {
namespace {

using core::pg::testing::PgTestServer;
using core::pg::testing::RunToCompletion;
using namespace std::chrono_literals;

NewJob MakeJob(std::string tube, std::string body, std::uint32_t pri = 1024) {
  NewJob job;
  job.tube = std::move(tube);
  job.body = std::move(body);
  job.pri = pri;
  return job;
}

// One "instance": its own pool and store on the test's schema.
struct Instance {
  std::unique_ptr<core::pg::PgPool> pool;
  std::unique_ptr<PgJobStore> store;
};

class PgJobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PgTestServer& postgres = core::pg::testing::SharedPgTestServer();
    ASSERT_TRUE(postgres.ok()) << postgres.error();
    auto schema = core::pg::testing::NewSchema(postgres, "jq");
    ASSERT_TRUE(schema) << schema.error().detail;
    conninfo_ = std::move(*schema);
  }

  Instance Make(PgJobStoreOptions options = {}, bool listen = false) {
    Instance i;
    core::pg::PgPoolOptions o;
    o.conninfo = conninfo_;
    i.pool = std::make_unique<core::pg::PgPool>(o);
    i.store = std::make_unique<PgJobStore>(*i.pool, options, listen ? conninfo_ : "");
    auto migrated = RunToCompletion(i.store->Migrate());
    EXPECT_TRUE(migrated) << migrated.error().detail;
    if (listen) i.store->Start();
    return i;
  }

  std::string conninfo_;
};

core::Result<std::optional<ReservedJob>> Take(PgJobStore& store, std::string tube,
                                              std::chrono::milliseconds timeout = 0ms) {
  std::vector<std::string> tubes = {std::move(tube)};
  return RunToCompletion(store.Reserve(std::move(tubes), timeout));
}

TEST_F(PgJobStoreTest, PutReserveAckRoundTripsAnyBytes) {
  Instance a = Make();
  const std::string body("bin\0ary \xff\x01", 11);
  auto put = RunToCompletion(a.store->Put(MakeJob("t", body)));
  ASSERT_TRUE(put) << put.error().detail;
  EXPECT_FALSE(put->delayed);
  auto got = Take(*a.store, "t");
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->id, put->id);
  EXPECT_EQ((*got)->body, body);
  EXPECT_EQ((*got)->lease, 1u);
  auto job = RunToCompletion(a.store->Job(put->id));
  ASSERT_TRUE(job);
  EXPECT_EQ(job->state, jobs::JobState::kReserved);
  EXPECT_TRUE(RunToCompletion(a.store->Ack(put->id, 1)));
  EXPECT_EQ(RunToCompletion(a.store->Job(put->id)).error().code, core::Code::kNotFound);
  EXPECT_EQ(a.store->Counters().puts, 1u);
  EXPECT_EQ(a.store->Counters().deletes, 1u);
}

TEST_F(PgJobStoreTest, LowerPriorityFirstThenFifo) {
  Instance a = Make();
  const auto x = RunToCompletion(a.store->Put(MakeJob("t", "x", 5)))->id;
  const auto y = RunToCompletion(a.store->Put(MakeJob("t", "y", 1)))->id;
  const auto z = RunToCompletion(a.store->Put(MakeJob("t", "z", 5)))->id;
  std::vector<JobId> order;
  for (int i = 0; i < 3; ++i) order.push_back((*Take(*a.store, "t"))->id);
  EXPECT_EQ(order, (std::vector<JobId>{y, x, z}));
  EXPECT_FALSE(*Take(*a.store, "t"));
}

TEST_F(PgJobStoreTest, AStaleLeaseIsAConflictAndAnUnknownJobIsNotFound) {
  Instance a = Make();
  const auto id = RunToCompletion(a.store->Put(MakeJob("t", "x")))->id;
  ASSERT_TRUE(*Take(*a.store, "t"));
  EXPECT_EQ(RunToCompletion(a.store->Ack(id, 7)).error().code, core::Code::kConflict);
  EXPECT_EQ(RunToCompletion(a.store->Touch(id, 7)).error().code, core::Code::kConflict);
  EXPECT_EQ(RunToCompletion(a.store->Ack(id + 1000, 1)).error().code, core::Code::kNotFound);
  EXPECT_EQ(RunToCompletion(a.store->Delete(id)).error().code, core::Code::kConflict);
  EXPECT_TRUE(RunToCompletion(a.store->Touch(id, 1)));
  EXPECT_TRUE(RunToCompletion(a.store->Ack(id, 1)));
}

TEST_F(PgJobStoreTest, AnExpiredLeaseIsReservableAgainByTheReserveItself) {
  Instance a = Make();
  NewJob job = MakeJob("t", "slow");
  job.ttr = 1ms;  // raised to min_ttr, 1 s
  const auto id = RunToCompletion(a.store->Put(job))->id;
  auto first = Take(*a.store, "t");
  ASSERT_TRUE(first && *first);
  EXPECT_EQ((*first)->ttr_ms, 1000);
  // No timer moves the job: the waiting reserve finds it takeable once lease_until has passed.
  auto second = Take(*a.store, "t", 5000ms);
  ASSERT_TRUE(second && *second);
  EXPECT_EQ((*second)->id, id);
  EXPECT_EQ((*second)->lease, 2u);
  EXPECT_EQ(RunToCompletion(a.store->Ack(id, 1)).error().code, core::Code::kConflict);
  EXPECT_EQ(RunToCompletion(a.store->Job(id))->timeouts, 1u);
  EXPECT_EQ(a.store->Counters().timeouts, 1u);
  EXPECT_TRUE(RunToCompletion(a.store->Ack(id, 2)));
}

TEST_F(PgJobStoreTest, NackBacksOffThenBuriesAndKickBringsItBack) {
  PgJobStoreOptions o;
  o.retry = {2, 50ms, 100ms};
  Instance a = Make(o);
  const auto id = RunToCompletion(a.store->Put(MakeJob("t", "poison")))->id;
  ASSERT_TRUE(*Take(*a.store, "t"));
  auto nack = RunToCompletion(a.store->Nack(id, 1));
  ASSERT_TRUE(nack);
  EXPECT_FALSE(nack->buried);
  EXPECT_GE(nack->retry_in, 25ms);
  EXPECT_LE(nack->retry_in, 50ms);
  auto again = Take(*a.store, "t", 5000ms);
  ASSERT_TRUE(again && *again);
  EXPECT_EQ((*again)->lease, 2u);
  nack = RunToCompletion(a.store->Nack(id, 2));
  ASSERT_TRUE(nack);
  EXPECT_TRUE(nack->buried);
  EXPECT_EQ(RunToCompletion(a.store->Job(id))->state, jobs::JobState::kBuried);
  EXPECT_FALSE(*Take(*a.store, "t"));
  EXPECT_EQ(RunToCompletion(a.store->Tube("t"))->buried, 1u);
  EXPECT_EQ(*RunToCompletion(a.store->Kick("t", 10)), 1u);
  auto kicked = Take(*a.store, "t");
  ASSERT_TRUE(kicked && *kicked);
  EXPECT_EQ((*kicked)->id, id);
}

TEST_F(PgJobStoreTest, ADelayedJobWaitsAndDeletesFollowTheRules) {
  Instance a = Make();
  NewJob job = MakeJob("t", "later");
  job.delay = 300ms;
  auto put = RunToCompletion(a.store->Put(job));
  ASSERT_TRUE(put);
  EXPECT_TRUE(put->delayed);
  EXPECT_EQ(RunToCompletion(a.store->Job(put->id))->state, jobs::JobState::kDelayed);
  EXPECT_FALSE(*Take(*a.store, "t"));
  const auto started = std::chrono::steady_clock::now();
  auto got = Take(*a.store, "t", 5000ms);
  ASSERT_TRUE(got && *got);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 100ms);
  EXPECT_TRUE(RunToCompletion(a.store->Ack(put->id, 1)));
  const auto ready = RunToCompletion(a.store->Put(MakeJob("t", "x")))->id;
  EXPECT_TRUE(RunToCompletion(a.store->Delete(ready)));
  EXPECT_EQ(RunToCompletion(a.store->Delete(ready)).error().code, core::Code::kNotFound);
}

TEST_F(PgJobStoreTest, LimitsAndDrainRefusePuts) {
  PgJobStoreOptions o;
  o.max_jobs = 2;
  o.max_job_bytes = 4;
  Instance a = Make(o);
  EXPECT_EQ(RunToCompletion(a.store->Put(MakeJob("t", "12345"))).error().code,
            core::Code::kPayloadTooLarge);
  EXPECT_TRUE(RunToCompletion(a.store->Put(MakeJob("t", "1"))));
  EXPECT_TRUE(RunToCompletion(a.store->Put(MakeJob("t", "2"))));
  EXPECT_EQ(RunToCompletion(a.store->Put(MakeJob("t", "3"))).error().code,
            core::Code::kUnavailable);
  EXPECT_EQ(a.store->Counters().rejected_full, 1u);
  a.store->SetDraining(true);
  EXPECT_EQ(RunToCompletion(a.store->Put(MakeJob("u", "4"))).error().code,
            core::Code::kUnavailable);
  auto stats = RunToCompletion(a.store->Stats());
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->jobs, 2u);
  EXPECT_EQ(stats->ready, 2u);
  EXPECT_EQ(stats->bytes, 2u);
  EXPECT_TRUE(stats->draining);
}

// Reserves from `tube` until nothing is left, recording what it got.
core::Task<void> ReserveAll(PgJobStore& store, std::vector<JobId>& got, std::atomic<int>& errors) {
  for (;;) {
    std::vector<std::string> tubes = {"race"};
    core::Result<std::optional<ReservedJob>> r = co_await store.Reserve(std::move(tubes), 0ms);
    if (!r) {
      ++errors;
      co_return;
    }
    if (!*r) co_return;
    got.push_back((*r)->id);
  }
}

TEST_F(PgJobStoreTest, TwoInstancesReservingConcurrentlyNeverGetTheSameJob) {
  Instance a = Make();
  Instance b = Make();
  constexpr int kJobs = 400;
  constexpr int kReservers = 8;  // per instance, as concurrent requests on one server thread
  for (int i = 0; i < kJobs; ++i) {
    ASSERT_TRUE(RunToCompletion((i % 2 == 0 ? a : b).store->Put(MakeJob("race", "j"))));
  }
  std::vector<std::vector<JobId>> got(2 * kReservers);
  std::atomic<int> errors{0};
  auto run = [&](PgJobStore& store, int first) {
    boost::asio::io_context ioc;
    for (int i = 0; i < kReservers; ++i) {
      boost::asio::co_spawn(ioc, ReserveAll(store, got[first + i], errors), boost::asio::detached);
    }
    ioc.run();
  };
  std::thread ta(run, std::ref(*a.store), 0);
  std::thread tb(run, std::ref(*b.store), kReservers);
  ta.join();
  tb.join();
  EXPECT_EQ(errors.load(), 0);
  std::set<JobId> unique;
  std::size_t total = 0, by_a = 0;
  for (int i = 0; i < 2 * kReservers; ++i) {
    total += got[i].size();
    if (i < kReservers) by_a += got[i].size();
    unique.insert(got[i].begin(), got[i].end());
  }
  EXPECT_EQ(total, static_cast<std::size_t>(kJobs));  // every job handed out...
  EXPECT_EQ(unique.size(), total);                    // ...and none twice
  EXPECT_GT(by_a, 0u);
  EXPECT_LT(by_a, total);  // both instances took part
  EXPECT_EQ(a.store->Counters().reserves + b.store->Counters().reserves,
            static_cast<std::uint64_t>(kJobs));
}

TEST_F(PgJobStoreTest, AWaitingReserveIsWokenByAPutOnAnotherInstance) {
  PgJobStoreOptions slow_poll;
  slow_poll.max_poll = 30s;  // so that only the notification can wake it in time
  Instance waiter = Make(slow_poll, /*listen=*/true);
  Instance producer = Make();
  boost::asio::io_context ioc;
  std::vector<std::string> tubes = {"wake"};
  auto future = boost::asio::co_spawn(ioc, waiter.store->Reserve(std::move(tubes), 20s),
                                      boost::asio::use_future);
  std::thread t([&ioc] { ioc.run(); });
  // Wait (bounded) until the reserve is registered as waiting, then put on the other instance.
  for (int i = 0; i < 500; ++i) {
    auto s = RunToCompletion(waiter.store->Stats());
    if (s && s->waiting == 1) break;
    std::this_thread::sleep_for(10ms);
  }
  const auto started = std::chrono::steady_clock::now();
  auto put = RunToCompletion(producer.store->Put(MakeJob("wake", "hello")));
  ASSERT_TRUE(put);
  ASSERT_EQ(future.wait_for(10s), std::future_status::ready);
  const auto waited = std::chrono::steady_clock::now() - started;
  t.join();
  auto got = future.get();
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->id, put->id);
  EXPECT_LT(waited, 5s);
  EXPECT_GE(waiter.store->notifications(), 1u);
}

}  // namespace
}  // namespace jobs_store
