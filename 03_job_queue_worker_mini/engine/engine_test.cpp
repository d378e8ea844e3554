#include "03_job_queue_worker_mini/engine/engine.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "core/base/clock.hpp"

namespace jobs {
namespace {

using namespace std::chrono_literals;

class EngineTest : public ::testing::Test {
 protected:
  explicit EngineTest(EngineOptions o = {}) : engine_(o, clock_) {}

  JobId PutJob(ClientId c, std::string_view body, std::uint32_t pri = 100,
               core::Clock::duration delay = 0s, core::Clock::duration ttr = 10s) {
    PutRequest r;
    r.pri = pri;
    r.delay = delay;
    r.ttr = ttr;
    r.body = body;
    const PutResult p = engine_.Put(c, r);
    EXPECT_EQ(p.status, Status::kOk);
    return p.id;
  }
  // A reserve that must succeed at once; returns the job id (0 if it did not).
  JobId ReserveNow(ClientId c) {
    const ReserveResult r = engine_.Reserve(c, 0s, nullptr);
    return r.end == ReserveEnd::kReserved ? r.job.id : 0;
  }
  LeaseHolder By(ClientId c) { return LeaseHolder{c, std::nullopt}; }

  core::FakeClock clock_;
  Engine engine_;
};

TEST_F(EngineTest, ReservesLowerPriorityFirstAndFifoWithinOne) {
  const ClientId c = engine_.Connect();
  const JobId a = PutJob(c, "a", 5);
  const JobId b = PutJob(c, "b", 1);
  const JobId d = PutJob(c, "d", 5);
  const JobId e = PutJob(c, "e", 1);
  EXPECT_EQ(ReserveNow(c), b);
  EXPECT_EQ(ReserveNow(c), e);
  EXPECT_EQ(ReserveNow(c), a);
  EXPECT_EQ(ReserveNow(c), d);
  EXPECT_EQ(ReserveNow(c), 0u);
}

TEST_F(EngineTest, ReserveReturnsACopyOfTheBodyAndTheLeaseNumber) {
  const ClientId c = engine_.Connect();
  PutJob(c, std::string("bin\0ary", 7));
  const ReserveResult r = engine_.Reserve(c, 0s, nullptr);
  ASSERT_EQ(r.end, ReserveEnd::kReserved);
  EXPECT_EQ(r.job.body, std::string("bin\0ary", 7));
  EXPECT_EQ(r.job.lease, 1u);
}

TEST_F(EngineTest, DelayedJobBecomesReadyWhenItsTimeComes) {
  const ClientId c = engine_.Connect();
  const JobId id = PutJob(c, "later", 0, 5s);
  EXPECT_EQ(engine_.StatsJob(id)->state, JobState::kDelayed);
  EXPECT_EQ(engine_.StatsJob(id)->time_left_ns, 5'000'000'000);
  clock_.Advance(4999ms);
  engine_.Tick();
  EXPECT_EQ(ReserveNow(c), 0u);
  clock_.Advance(1ms);
  engine_.Tick();
  EXPECT_EQ(ReserveNow(c), id);
}

TEST_F(EngineTest, ExpiredLeaseReturnsTheJobToReadyForAnotherWorker) {
  const ClientId producer = engine_.Connect();
  const ClientId slow = engine_.Connect();
  const ClientId other = engine_.Connect();
  const JobId id = PutJob(producer, "x", 0, 0s, 3s);
  ASSERT_EQ(ReserveNow(slow), id);
  clock_.Advance(2999ms);
  engine_.Tick();
  EXPECT_EQ(ReserveNow(other), 0u);
  clock_.Advance(1ms);
  engine_.Tick();
  EXPECT_EQ(ReserveNow(other), id);
  const JobStats s = *engine_.StatsJob(id);
  EXPECT_EQ(s.timeouts, 1u);
  EXPECT_EQ(s.reserves, 2u);
  EXPECT_EQ(engine_.Stats().counters.timeouts, 1u);
  // The first worker's lease is gone: it can no longer delete the job.
  EXPECT_EQ(engine_.Delete(By(slow), id).status, Status::kNotFound);
  EXPECT_EQ(engine_.Delete(By(other), id).status, Status::kOk);
}

TEST_F(EngineTest, TouchRestartsTheLease) {
  const ClientId c = engine_.Connect();
  const JobId id = PutJob(c, "x", 0, 0s, 3s);
  ASSERT_EQ(ReserveNow(c), id);
  clock_.Advance(2s);
  EXPECT_EQ(engine_.Touch(By(c), id).status, Status::kOk);
  clock_.Advance(2s);
  engine_.Tick();
  EXPECT_EQ(engine_.StatsJob(id)->state, JobState::kReserved);
  EXPECT_EQ(engine_.StatsJob(id)->time_left_ns, 1'000'000'000);
  clock_.Advance(1s);
  engine_.Tick();
  EXPECT_EQ(engine_.StatsJob(id)->state, JobState::kReady);
}

TEST_F(EngineTest, TtrBelowTheMinimumIsRaised) {
  const ClientId c = engine_.Connect();
  const JobId id = PutJob(c, "x", 0, 0s, 0s);
  EXPECT_EQ(engine_.StatsJob(id)->ttr_ns, 1'000'000'000);
}

TEST_F(EngineTest, ReserveInTheSafetyMarginAnswersDeadlineSoon) {
  const ClientId c = engine_.Connect();
  const JobId id = PutJob(c, "x", 0, 0s, 5s);
  ASSERT_EQ(ReserveNow(c), id);
  clock_.Advance(3999ms);
  EXPECT_EQ(engine_.Reserve(c, 0s, nullptr).end, ReserveEnd::kTimedOut);
  clock_.Advance(1ms);
  EXPECT_EQ(engine_.Reserve(c, 10s, nullptr).end, ReserveEnd::kDeadlineSoon);
  // With a job ready, the reserve is served instead.
  const JobId next = PutJob(c, "y");
  EXPECT_EQ(ReserveNow(c), next);
}

TEST_F(EngineTest, WaitingReserveHearsDeadlineSoonWhenTheMarginArrives) {
  const ClientId c = engine_.Connect();
  const JobId id = PutJob(c, "x", 0, 0s, 5s);
  ASSERT_EQ(ReserveNow(c), id);
  std::optional<WaitResult> got;
  ASSERT_EQ(engine_.Reserve(c, std::nullopt, [&](WaitResult r) { got = std::move(r); }).end,
            ReserveEnd::kWaiting);
  clock_.Advance(3s);
  engine_.Tick();
  EXPECT_FALSE(got.has_value());
  clock_.Advance(1s);
  engine_.Tick();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->end, WaitEnd::kDeadlineSoon);
  EXPECT_EQ(engine_.Stats().waiting, 0u);
}

TEST_F(EngineTest, WaitingReserveGetsTheNextPutJob) {
  const ClientId worker = engine_.Connect();
  const ClientId producer = engine_.Connect();
  std::optional<WaitResult> got;
  ASSERT_EQ(engine_.Reserve(worker, 30s, [&](WaitResult r) { got = std::move(r); }).end,
            ReserveEnd::kWaiting);
  EXPECT_EQ(engine_.StatsTube("default")->waiting, 1u);
  const JobId id = PutJob(producer, "hello");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->end, WaitEnd::kReserved);
  EXPECT_EQ(got->job.id, id);
  EXPECT_EQ(got->job.body, "hello");
  EXPECT_EQ(engine_.StatsJob(id)->state, JobState::kReserved);
  EXPECT_EQ(engine_.Delete(By(worker), id).status, Status::kOk);
}

TEST_F(EngineTest, WaitingReserveTimesOut) {
  const ClientId c = engine_.Connect();
  std::optional<WaitResult> got;
  engine_.Reserve(c, 2s, [&](WaitResult r) { got = std::move(r); });
  clock_.Advance(1999ms);
  engine_.Tick();
  EXPECT_FALSE(got.has_value());
  clock_.Advance(1ms);
  engine_.Tick();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->end, WaitEnd::kTimedOut);
}

TEST_F(EngineTest, WaitersAreServedOldestFirst) {
  const ClientId w1 = engine_.Connect(), w2 = engine_.Connect(), p = engine_.Connect();
  std::vector<ClientId> order;
  engine_.Reserve(w1, std::nullopt, [&](const WaitResult&) { order.push_back(w1); });
  engine_.Reserve(w2, std::nullopt, [&](const WaitResult&) { order.push_back(w2); });
  PutJob(p, "1");
  PutJob(p, "2");
  EXPECT_EQ(order, (std::vector<ClientId>{w1, w2}));
}

TEST_F(EngineTest, ReleaseWithDelayAndNewPriority) {
  const ClientId c = engine_.Connect();
  const JobId id = PutJob(c, "x", 7);
  ASSERT_EQ(ReserveNow(c), id);
  ASSERT_EQ(engine_.Release(By(c), id, 3, 2s).status, Status::kOk);
  JobStats s = *engine_.StatsJob(id);
  EXPECT_EQ(s.state, JobState::kDelayed);
  EXPECT_EQ(s.pri, 3u);
  EXPECT_EQ(s.releases, 1u);
  EXPECT_EQ(s.delay_ns, 2'000'000'000);
  clock_.Advance(2s);
  engine_.Tick();
  EXPECT_EQ(ReserveNow(c), id);
}

TEST_F(EngineTest, OnlyTheLeaseHolderMayReleaseBuryOrTouch) {
  const ClientId a = engine_.Connect(), b = engine_.Connect();
  const JobId id = PutJob(a, "x");
  ASSERT_EQ(ReserveNow(a), id);
  EXPECT_EQ(engine_.Release(By(b), id, 0, 0s).status, Status::kNotFound);
  EXPECT_EQ(engine_.Bury(By(b), id, 0).status, Status::kNotFound);
  EXPECT_EQ(engine_.Touch(By(b), id).status, Status::kNotFound);
  EXPECT_EQ(engine_.Delete(By(b), id).status, Status::kNotFound);
  // Not reserved at all: release/bury/touch refuse too.
  const JobId ready = PutJob(a, "y");
  EXPECT_EQ(engine_.Release(By(a), ready, 0, 0s).status, Status::kNotFound);
  EXPECT_EQ(engine_.Bury(By(a), 999, 0).status, Status::kNotFound);
}

TEST_F(EngineTest, LeaseNumbersGuardHttpStyleAcks) {
  const ClientId worker = engine_.Connect();
  const JobId id = PutJob(worker, "x", 0, 0s, 2s);
  const ReserveResult first = engine_.Reserve(worker, 0s, nullptr);
  engine_.Disconnect(worker, /*keep_leases=*/true);
  EXPECT_EQ(engine_.StatsJob(id)->state, JobState::kReserved);  // still leased
  clock_.Advance(2s);
  engine_.Tick();
  const ClientId second = engine_.Connect();
  const ReserveResult again = engine_.Reserve(second, 0s, nullptr);
  ASSERT_EQ(again.job.id, id);
  EXPECT_EQ(again.job.lease, first.job.lease + 1);
  // The stale lease cannot ack the job the second worker now holds.
  EXPECT_EQ(engine_.Delete(LeaseHolder{0, first.job.lease}, id).status, Status::kNotFound);
  EXPECT_EQ(engine_.Delete(LeaseHolder{0, again.job.lease}, id).status, Status::kOk);
}

TEST_F(EngineTest, AQuotedLeaseOnlyAcksAReservedJob) {
  const ClientId c = engine_.Connect();
  const JobId id = PutJob(c, "x");
  const ReserveResult r = engine_.Reserve(c, 0s, nullptr);
  ASSERT_EQ(engine_.Bury(By(c), id, 0).status, Status::kOk);
  EXPECT_EQ(engine_.Delete(LeaseHolder{0, r.job.lease}, id).status, Status::kNotFound);
  EXPECT_EQ(engine_.Delete(By(c), id).status, Status::kOk);  // beanstalkd: buried, anyone
}

TEST_F(EngineTest, DisconnectReturnsReservedJobsAndCancelsTheWait) {
  const ClientId a = engine_.Connect(), b = engine_.Connect();
  const JobId id = PutJob(a, "x");
  ASSERT_EQ(ReserveNow(a), id);
  engine_.Reserve(a, std::nullopt,
                  [](const WaitResult&) { FAIL() << "dropped waits are not called"; });
  engine_.Disconnect(a);
  EXPECT_EQ(engine_.StatsJob(id)->state, JobState::kReady);
  EXPECT_EQ(engine_.Stats().waiting, 0u);
  EXPECT_EQ(ReserveNow(b), id);
}

TEST_F(EngineTest, BuryThenKickBuriedBeforeDelayed) {
  const ClientId c = engine_.Connect();
  const JobId delayed = PutJob(c, "d", 0, 60s);
  const JobId x = PutJob(c, "x"), y = PutJob(c, "y");
  ASSERT_EQ(ReserveNow(c), x);
  ASSERT_EQ(engine_.Bury(By(c), x, 9).status, Status::kOk);
  ASSERT_EQ(ReserveNow(c), y);
  ASSERT_EQ(engine_.Bury(By(c), y, 9).status, Status::kOk);
  EXPECT_EQ(engine_.PeekBuried(c)->id, x);  // FIFO
  EXPECT_EQ(engine_.Stats().buried, 2u);
  EXPECT_EQ(engine_.Kick(c, 1), 1u);
  EXPECT_EQ(engine_.StatsJob(x)->state, JobState::kReady);
  EXPECT_EQ(engine_.StatsJob(x)->kicks, 1u);
  EXPECT_EQ(engine_.Kick(c, 10), 1u);  // only the other buried one, not the delayed job
  EXPECT_EQ(engine_.StatsJob(delayed)->state, JobState::kDelayed);
  EXPECT_EQ(engine_.Kick(c, 10), 1u);  // no buried left: delayed ones
  EXPECT_EQ(engine_.StatsJob(delayed)->state, JobState::kReady);
  EXPECT_EQ(engine_.Kick(c, 10), 0u);
}

TEST_F(EngineTest, KickJobMovesOneBuriedOrDelayedJob) {
  const ClientId c = engine_.Connect();
  const JobId d = PutJob(c, "d", 0, 60s);
  const JobId r = PutJob(c, "r");
  EXPECT_EQ(engine_.KickJob(r).status, Status::kNotFound);  // ready: not kickable
  EXPECT_EQ(engine_.KickJob(d).status, Status::kOk);
  EXPECT_EQ(engine_.StatsJob(d)->state, JobState::kReady);
  EXPECT_EQ(engine_.KickJob(424242).status, Status::kNotFound);
}

TEST_F(EngineTest, DeleteWorksOnReadyDelayedAndBuriedJobs) {
  const ClientId c = engine_.Connect();
  const JobId r = PutJob(c, "r"), d = PutJob(c, "d", 0, 9s), b = PutJob(c, "b", 0);
  ASSERT_EQ(ReserveNow(c), b);
  ASSERT_EQ(engine_.Bury(By(c), b, 0).status, Status::kOk);
  for (JobId id : {r, d, b})
    EXPECT_EQ(engine_.Delete(By(engine_.Connect()), id).status, Status::kOk);
  EXPECT_EQ(engine_.Stats().jobs, 0u);
  EXPECT_EQ(engine_.Stats().bytes, 0u);
  EXPECT_EQ(engine_.StatsTube("default")->cmd_delete, 3u);
  EXPECT_EQ(engine_.Delete(By(c), r).status, Status::kNotFound);
}

TEST_F(EngineTest, PeeksLookAtTheUsedTube) {
  const ClientId c = engine_.Connect();
  ASSERT_EQ(engine_.Use(c, "other"), Status::kOk);
  const JobId r = PutJob(c, "r", 5), d = PutJob(c, "d", 0, 3s);
  EXPECT_EQ(engine_.PeekReady(c)->id, r);
  EXPECT_EQ(engine_.PeekDelayed(c)->id, d);
  EXPECT_FALSE(engine_.PeekBuried(c).has_value());
  EXPECT_EQ(engine_.Peek(d)->body, "d");
  const ClientId elsewhere = engine_.Connect();
  EXPECT_FALSE(engine_.PeekReady(elsewhere).has_value());
}

TEST_F(EngineTest, ReservesOnlyFromWatchedTubes) {
  const ClientId p = engine_.Connect(), w = engine_.Connect();
  ASSERT_EQ(engine_.Use(p, "emails"), Status::kOk);
  const JobId id = PutJob(p, "mail");
  EXPECT_EQ(ReserveNow(w), 0u);
  std::size_t watching = 0;
  ASSERT_EQ(engine_.Watch(w, "emails", &watching), Status::kOk);
  EXPECT_EQ(watching, 2u);
  ASSERT_EQ(engine_.Ignore(w, "default", &watching), Status::kOk);
  EXPECT_EQ(watching, 1u);
  EXPECT_EQ(engine_.Ignore(w, "emails", &watching), Status::kNotIgnored);
  EXPECT_EQ(ReserveNow(w), id);
}

TEST_F(EngineTest, TubesExistWhileReferencedAndListInBeanstalkdOrder) {
  const ClientId a = engine_.Connect(), b = engine_.Connect();
  ASSERT_EQ(engine_.Use(a, "t1"), Status::kOk);
  ASSERT_EQ(engine_.Use(b, "t2"), Status::kOk);
  std::size_t n = 0;
  ASSERT_EQ(engine_.Watch(b, "t3", &n), Status::kOk);
  EXPECT_EQ(engine_.ListTubes(), (std::vector<std::string>{"default", "t1", "t2", "t3"}));
  ASSERT_EQ(engine_.Use(a, "default"), Status::kOk);  // t1 is now unreferenced and empty
  EXPECT_EQ(engine_.ListTubes(), (std::vector<std::string>{"default", "t3", "t2"}));
  ASSERT_EQ(engine_.Use(b, "default"), Status::kOk);
  const JobId id = PutJob(a, "keeps t3 alive");
  (void)id;
  engine_.Disconnect(b);
  EXPECT_EQ(engine_.ListTubes(), (std::vector<std::string>{"default"}));
  EXPECT_FALSE(engine_.StatsTube("t3").has_value());
}

TEST_F(EngineTest, DisconnectingFromATubeBothUsedAndWatchedDropsItOnce) {
  const ClientId c = engine_.Connect();
  std::size_t n = 0;
  ASSERT_EQ(engine_.Use(c, "same"), Status::kOk);
  ASSERT_EQ(engine_.Watch(c, "same", &n), Status::kOk);
  engine_.Disconnect(c);
  EXPECT_EQ(engine_.ListTubes(), (std::vector<std::string>{"default"}));
}

TEST_F(EngineTest, TubeWithJobsOutlivesItsClients) {
  const ClientId a = engine_.Connect();
  ASSERT_EQ(engine_.Use(a, "kept"), Status::kOk);
  const JobId id = PutJob(a, "x");
  engine_.Disconnect(a);
  ASSERT_TRUE(engine_.StatsTube("kept").has_value());
  EXPECT_EQ(engine_.Delete(By(engine_.Connect()), id).status, Status::kOk);
  EXPECT_FALSE(engine_.StatsTube("kept").has_value());
}

TEST_F(EngineTest, InvalidTubeNamesAreRefused) {
  const ClientId c = engine_.Connect();
  std::size_t n = 0;
  EXPECT_EQ(engine_.Use(c, "-dash"), Status::kBadName);
  EXPECT_EQ(engine_.Use(c, ""), Status::kBadName);
  EXPECT_EQ(engine_.Watch(c, "a b", &n), Status::kBadName);
  EXPECT_EQ(engine_.Use(c, std::string(201, 'a')), Status::kBadName);
  EXPECT_EQ(engine_.Use(c, std::string(200, 'a')), Status::kOk);
  EXPECT_EQ(engine_.Use(c, "a(b)$;+/._-"), Status::kOk);
}

TEST_F(EngineTest, PausedTubeHoldsItsJobsUntilThePauseEnds) {
  const ClientId c = engine_.Connect();
  const JobId id = PutJob(c, "x");
  ASSERT_EQ(engine_.PauseTube("default", 3s), Status::kOk);
  EXPECT_EQ(engine_.PauseTube("nope", 3s), Status::kNotFound);
  EXPECT_EQ(engine_.StatsTube("default")->pause_left_ns, 3'000'000'000);
  std::optional<WaitResult> got;
  ASSERT_EQ(engine_.Reserve(c, std::nullopt, [&](WaitResult r) { got = std::move(r); }).end,
            ReserveEnd::kWaiting);
  clock_.Advance(3s);
  engine_.Tick();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->job.id, id);
  EXPECT_EQ(engine_.StatsTube("default")->cmd_pause, 1u);
  EXPECT_EQ(engine_.StatsTube("default")->pause_ns, 0);
}

TEST_F(EngineTest, DrainModeRefusesPutsOnly) {
  const ClientId c = engine_.Connect();
  const JobId id = PutJob(c, "x");
  engine_.SetDraining(true);
  PutRequest r;
  r.body = "y";
  EXPECT_EQ(engine_.Put(c, r).status, Status::kDraining);
  EXPECT_EQ(ReserveNow(c), id);
  EXPECT_EQ(engine_.Delete(By(c), id).status, Status::kOk);
  EXPECT_EQ(engine_.Stats().counters.rejected_draining, 1u);
}

TEST_F(EngineTest, ReserveJobTakesAJobInAnyUnreservedState) {
  const ClientId c = engine_.Connect();
  const JobId d = PutJob(c, "d", 0, 60s);
  const ReserveResult r = engine_.ReserveJob(c, d);
  ASSERT_EQ(r.end, ReserveEnd::kReserved);
  EXPECT_EQ(engine_.StatsJob(d)->state, JobState::kReserved);
  EXPECT_EQ(engine_.ReserveJob(c, d).end, ReserveEnd::kTimedOut);  // already reserved
  EXPECT_EQ(engine_.Stats().delayed, 0u);
}

TEST_F(EngineTest, StatsCountJobsByState) {
  const ClientId c = engine_.Connect();
  PutJob(c, "u", 10);
  PutJob(c, "r", 2000);
  PutJob(c, "d", 0, 5s);
  const JobId b = PutJob(c, "b", 0);
  ASSERT_EQ(ReserveNow(c), b);
  const EngineStats s = engine_.Stats();
  EXPECT_EQ(s.ready, 2u);
  EXPECT_EQ(s.urgent, 1u);
  EXPECT_EQ(s.delayed, 1u);
  EXPECT_EQ(s.reserved, 1u);
  EXPECT_EQ(s.jobs, 4u);
  EXPECT_EQ(s.counters.puts, 4u);
  EXPECT_EQ(s.counters.reserves, 1u);
  EXPECT_EQ(s.producers, 1u);
  EXPECT_EQ(s.workers, 1u);
  EXPECT_EQ(s.held, 1u);
  EXPECT_EQ(s.bytes, 4 * (sizeof(Job) + 1));
  engine_.Disconnect(c, /*keep_leases=*/true);  // an HTTP-style lease: reserved, held by no one
  EXPECT_EQ(engine_.Stats().reserved, 1u);
  EXPECT_EQ(engine_.Stats().held, 0u);
}

TEST_F(EngineTest, RestoredJobsKeepTheirStateAndIdsContinueAfterThem) {
  RestoredJob r;
  r.id = 41;
  r.tube = "recovered";
  r.body = "payload";
  r.state = JobState::kBuried;
  r.buries = 2;
  ASSERT_EQ(engine_.Restore(r), Status::kOk);
  r.id = 42;
  r.state = JobState::kDelayed;
  r.delay_left = 2s;
  ASSERT_EQ(engine_.Restore(r), Status::kOk);
  EXPECT_EQ(engine_.StatsJob(41)->state, JobState::kBuried);
  EXPECT_EQ(engine_.StatsJob(41)->buries, 2u);
  EXPECT_EQ(engine_.StatsJob(42)->time_left_ns, 2'000'000'000);
  EXPECT_EQ(engine_.AllocateId(), 43u);
  r.tube = "bad name";
  EXPECT_EQ(engine_.Restore(r), Status::kOk);  // id 42 exists: a duplicate is ignored
  r.id = 50;
  EXPECT_EQ(engine_.Restore(r), Status::kBadName);
}

class LimitedEngineTest : public EngineTest {
 protected:
  static EngineOptions Limits() {
    EngineOptions o;
    o.max_job_bytes = 10;
    o.max_jobs = 3;
    o.max_total_bytes = 3 * (sizeof(Job) + 10);
    o.max_tubes = 3;
    return o;
  }
  LimitedEngineTest() : EngineTest(Limits()) {}
};

TEST_F(LimitedEngineTest, JobOverTheSizeLimitIsRefused) {
  const ClientId c = engine_.Connect();
  PutRequest r;
  r.body = "01234567890";
  EXPECT_EQ(engine_.Put(c, r).status, Status::kJobTooBig);
  r.body = "0123456789";
  EXPECT_EQ(engine_.Put(c, r).status, Status::kOk);
}

TEST_F(LimitedEngineTest, FullQueueRefusesPutsUntilAJobLeaves) {
  const ClientId c = engine_.Connect();
  PutRequest r;
  r.body = "0123456789";
  JobId first = 0;
  for (int i = 0; i < 3; ++i) {
    const PutResult p = engine_.Put(c, r);
    ASSERT_EQ(p.status, Status::kOk);
    if (i == 0) first = p.id;
  }
  EXPECT_EQ(engine_.Put(c, r).status, Status::kFull);
  EXPECT_EQ(engine_.Stats().counters.rejected_full, 1u);
  ASSERT_EQ(engine_.Delete(By(c), first).status, Status::kOk);
  EXPECT_EQ(engine_.Put(c, r).status, Status::kOk);
}

TEST_F(LimitedEngineTest, ByteBudgetRefusesBeforeTheJobCount) {
  const ClientId c = engine_.Connect();
  PutRequest r;
  r.body = "0123456789";
  ASSERT_EQ(engine_.Put(c, r).status, Status::kOk);
  ASSERT_EQ(engine_.Put(c, r).status, Status::kOk);
  r.body = "01234567890";  // over the size limit anyway
  EXPECT_EQ(engine_.Put(c, r).status, Status::kJobTooBig);
}

TEST_F(LimitedEngineTest, TubeCountIsBounded) {
  const ClientId c = engine_.Connect();
  std::size_t n = 0;
  ASSERT_EQ(engine_.Watch(c, "t1", &n), Status::kOk);
  ASSERT_EQ(engine_.Watch(c, "t2", &n), Status::kOk);
  EXPECT_EQ(engine_.Watch(c, "t3", &n), Status::kTooManyTubes);
  EXPECT_EQ(engine_.Use(c, "t4"), Status::kTooManyTubes);
}

// Records what the engine logs, in order.
class RecordingJournal : public Journal {
 public:
  Lsn Put(Job& j, std::int64_t) override { return Log("put " + std::to_string(j.id)); }
  Lsn Update(Job& j, std::int64_t) override {
    return Log("update " + std::to_string(j.id) + " " + std::string(NameOf(j.state)));
  }
  Lsn Delete(Job& j) override { return Log("delete " + std::to_string(j.id)); }
  void Maintain(JobTable&, std::int64_t) override { ++maintained; }
  Lsn Log(std::string line) {
    lines.push_back(std::move(line));
    return lines.size();
  }
  std::vector<std::string> lines;
  int maintained = 0;
};

TEST(EngineJournalTest, LogsWhatMustSurviveARestartInOrder) {
  core::FakeClock clock;
  RecordingJournal journal;
  Engine engine({}, clock, &journal);
  const ClientId c = engine.Connect();
  PutRequest r;
  r.body = "x";
  const PutResult p = engine.Put(c, r);
  EXPECT_EQ(p.lsn, 1u);
  ASSERT_EQ(engine.Reserve(c, 0s, nullptr).end, ReserveEnd::kReserved);  // not logged
  ASSERT_EQ(engine.Touch({c, std::nullopt}, p.id).status, Status::kOk);  // not logged
  EXPECT_EQ(engine.Bury({c, std::nullopt}, p.id, 1).lsn, 2u);
  EXPECT_EQ(engine.Kick(c, 5), 1u);
  ASSERT_EQ(engine.Reserve(c, 0s, nullptr).end, ReserveEnd::kReserved);
  EXPECT_EQ(engine.Release({c, std::nullopt}, p.id, 1, 0s).lsn, 4u);
  EXPECT_EQ(engine.Delete({c, std::nullopt}, p.id).lsn, 5u);
  engine.Tick();
  EXPECT_EQ(journal.lines, (std::vector<std::string>{"put 1", "update 1 buried", "update 1 ready",
                                                     "update 1 ready", "delete 1"}));
  EXPECT_EQ(journal.maintained, 1);
}

}  // namespace
}  // namespace jobs
