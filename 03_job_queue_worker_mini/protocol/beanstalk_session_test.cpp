// The beanstalkd protocol state machine, byte for byte. Expected replies were taken from
// beanstalkd 1.12 (Debian) with the same input; the differential test re-checks them live.
#include "03_job_queue_worker_mini/protocol/beanstalk_session.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "03_job_queue_worker_mini/engine/engine.hpp"
#include "core/base/clock.hpp"

namespace beanstalk {
namespace {

using namespace std::chrono_literals;

class SessionTest : public ::testing::Test {
 protected:
  explicit SessionTest(jobs::EngineOptions o = {})
      : engine_(o, clock_), service_(engine_, clock_) {}

  // Feeds `input` in pieces of `step` bytes (0: all at once), as many calls as it takes.
  static std::string Run(Session& s, std::string_view input, std::size_t step = 0) {
    std::string out;
    while (!input.empty() && !s.Waiting()) {
      const std::string_view piece = step == 0 ? input : input.substr(0, step);
      const std::size_t used = s.Feed(piece, out);
      input.remove_prefix(used);
      if (used == 0) break;
    }
    return out;
  }
  std::string Run(std::string_view input, std::size_t step = 0) {
    return Run(session_, input, step);
  }

  core::FakeClock clock_;
  jobs::Engine engine_;
  Service service_;
  Session session_{service_};
};

TEST_F(SessionTest, PutReserveDelete) {
  EXPECT_EQ(Run("put 10 0 60 5\r\nhello\r\n"), "INSERTED 1\r\n");
  EXPECT_EQ(Run("reserve\r\n"), "RESERVED 1 5\r\nhello\r\n");
  EXPECT_EQ(Run("delete 1\r\ndelete 1\r\n"), "DELETED\r\nNOT_FOUND\r\n");
}

TEST_F(SessionTest, AnySplitOfTheInputGivesTheSameReplies) {
  const std::string script =
      "use t\r\nput 1 0 60 3\r\na\r\n\r\nput 0 0 60 0\r\n\r\nwatch t\r\nignore default\r\n"
      "reserve-with-timeout 0\r\nrelease 2 5 0\r\nreserve\r\nbury 2 7\r\nkick 9\r\n"
      "peek-ready\r\nstats-job 1\r\nput 1 0 1 70000\r\n" +
      std::string(70002, 'z') + "list-tube-used\r\n" + std::string(300, 'x') + "\r\nquit\r\n";
  std::string whole;
  {
    Session s(service_);
    whole = Run(s, script);
  }
  for (std::size_t step : {1, 2, 3, 7, 64, 1000}) {
    jobs::Engine engine({}, clock_);
    Service service(engine, clock_);
    Session s(service);
    EXPECT_EQ(Run(s, script, step), whole) << "step " << step;
  }
  EXPECT_NE(whole.find("INSERTED 1\r\nINSERTED 2\r\nWATCHING 2\r\nWATCHING 1\r\n"
                       "RESERVED 2 0\r\n\r\nRELEASED\r\nRESERVED 1 3\r\na\r\n\r\n"),
            std::string::npos)
      << whole;
  EXPECT_NE(whole.find("JOB_TOO_BIG\r\nUSING t\r\nBAD_FORMAT\r\n"), std::string::npos) << whole;
}

TEST_F(SessionTest, MalformedCommandsAnswerLikeBeanstalkd) {
  EXPECT_EQ(Run("foo\r\n"), "UNKNOWN_COMMAND\r\n");
  EXPECT_EQ(Run("\r\n"), "UNKNOWN_COMMAND\r\n");
  EXPECT_EQ(Run("peek\r\n"), "UNKNOWN_COMMAND\r\n");
  EXPECT_EQ(Run("delete\r\n"), "UNKNOWN_COMMAND\r\n");
  EXPECT_EQ(Run("kick\t3\r\n"), "UNKNOWN_COMMAND\r\n");
  EXPECT_EQ(Run("reservex\r\n"), "BAD_FORMAT\r\n");
  EXPECT_EQ(Run("stats \r\n"), "BAD_FORMAT\r\n");
  EXPECT_EQ(Run("list-tubesx\r\n"), "BAD_FORMAT\r\n");
  EXPECT_EQ(Run("delete 1 \r\n"), "BAD_FORMAT\r\n");
  EXPECT_EQ(Run("delete abc\r\n"), "BAD_FORMAT\r\n");
  EXPECT_EQ(Run("stats-job 99999999999999999999999\r\n"), "BAD_FORMAT\r\n");
  EXPECT_EQ(Run("use -a\r\n"), "BAD_FORMAT\r\n");
  EXPECT_EQ(Run("use a*b\r\n"), "BAD_FORMAT\r\n");
  EXPECT_EQ(Run("use " + std::string(201, 'a') + "\r\n"), "BAD_FORMAT\r\n");
  EXPECT_EQ(Run(std::string("use a\0b\r\n", 9)), "BAD_FORMAT\r\n");
  EXPECT_EQ(Run("stats-tube  default\r\n"), "BAD_FORMAT\r\n");
  EXPECT_EQ(Run("pause-tube default\r\n"), "BAD_FORMAT\r\n");
  EXPECT_EQ(Run("pause-tube -x 1\r\n"), "BAD_FORMAT\r\n");
  EXPECT_EQ(Run("kick x\r\n"), "BAD_FORMAT\r\n");
}

TEST_F(SessionTest, BadPutLinesLeaveTheBodyToBeReadAsACommand) {
  EXPECT_EQ(Run("put 1 0 10 3 x\r\nabc\r\n"), "BAD_FORMAT\r\nUNKNOWN_COMMAND\r\n");
  EXPECT_EQ(Run("put -1 0 10 3\r\nabc\r\n"), "BAD_FORMAT\r\nUNKNOWN_COMMAND\r\n");
  EXPECT_EQ(Run("put 4294967296 0 10 3\r\nabc\r\n"), "BAD_FORMAT\r\nUNKNOWN_COMMAND\r\n");
  EXPECT_EQ(Run("put 1 0 10 +3\r\nabc\r\n"), "BAD_FORMAT\r\nUNKNOWN_COMMAND\r\n");
  EXPECT_EQ(Run("put 1 0 10\r\n"), "BAD_FORMAT\r\n");
  // Leading zeros and extra spaces between numbers are fine.
  EXPECT_EQ(Run("put  01 0 10 3\r\nabc\r\n"), "INSERTED 1\r\n");
}

TEST_F(SessionTest, BodyWithoutCrlfIsRefusedAndSpendsAnId) {
  EXPECT_EQ(Run("put 1 0 10 3\r\nabcde\r\n"), "EXPECTED_CRLF\r\nUNKNOWN_COMMAND\r\n");
  EXPECT_EQ(Run("put 1 0 10 1\r\nx\r\n"), "INSERTED 2\r\n");
}

TEST_F(SessionTest, OversizedJobIsSkippedWithoutBuffering) {
  EXPECT_EQ(Run("put 1 0 10 65536\r\n"), "");
  EXPECT_EQ(Run(std::string(65536, 'a') + "\r\n"), "JOB_TOO_BIG\r\n");
  EXPECT_EQ(Run("put 1 0 10 65535\r\n" + std::string(65535, 'a') + "\r\n"), "INSERTED 1\r\n");
  EXPECT_EQ(Run("put 1 0 10 70000 trailing\r\n" + std::string(70002, 'b') + "quit\r\n"),
            "JOB_TOO_BIG\r\n");
  EXPECT_TRUE(session_.ShouldClose());
}

TEST_F(SessionTest, OverlongLineIsAnsweredAtItsEnd) {
  EXPECT_EQ(Run(std::string(1000, 'x') + "\r\nlist-tube-used\r\n"),
            "BAD_FORMAT\r\nUSING default\r\n");
  // 222 bytes + CRLF = 224: the longest line that fits.
  EXPECT_EQ(Run("use " + std::string(200, 'a') + "\r\n"),
            "USING " + std::string(200, 'a') + "\r\n");
  EXPECT_EQ(Run("pause-tube " + std::string(200, 'a') + " 4294967295\r\n"), "PAUSED\r\n");
  EXPECT_EQ(Run("pause-tube " + std::string(200, 'a') + " 42949672950\r\n"), "BAD_FORMAT\r\n");
}

TEST_F(SessionTest, ReserveWithTimeoutZeroAnswersAtOnce) {
  EXPECT_EQ(Run("reserve-with-timeout 0\r\n"), "TIMED_OUT\r\n");
  EXPECT_EQ(Run("reserve-with-timeout x\r\n"), "TIMED_OUT\r\n");  // strtol reads 0
}

TEST_F(SessionTest, WaitingReserveHoldsBackTheRestOfThePipeline) {
  std::optional<jobs::WaitResult> woke;
  session_.SetWaker([&](jobs::WaitResult r) { woke = std::move(r); });
  std::string out;
  const std::string input = "reserve-with-timeout 5\r\nlist-tube-used\r\n";
  const std::size_t used = session_.Feed(input, out);
  EXPECT_EQ(used, std::string("reserve-with-timeout 5\r\n").size());
  EXPECT_TRUE(session_.Waiting());
  EXPECT_EQ(out, "");
  // Another connection puts a job: the engine wakes this one.
  Session producer(service_);
  EXPECT_EQ(Run(producer, "put 0 0 60 2\r\nhi\r\n"), "INSERTED 1\r\n");
  ASSERT_TRUE(woke.has_value());
  session_.CompleteWait(*woke, out);
  EXPECT_FALSE(session_.Waiting());
  session_.Feed(std::string_view(input).substr(used), out);
  EXPECT_EQ(out, "RESERVED 1 2\r\nhi\r\nUSING default\r\n");
}

TEST_F(SessionTest, WaitingReserveTimesOutOnTheTick) {
  std::optional<jobs::WaitResult> woke;
  session_.SetWaker([&](jobs::WaitResult r) { woke = std::move(r); });
  Run("reserve-with-timeout 2\r\n");
  clock_.Advance(2s);
  engine_.Tick();
  ASSERT_TRUE(woke.has_value());
  std::string out;
  session_.CompleteWait(*woke, out);
  EXPECT_EQ(out, "TIMED_OUT\r\n");
}

TEST_F(SessionTest, DeadlineSoonInsteadOfWaiting) {
  Run("put 0 0 2 1\r\nx\r\nreserve\r\n");
  clock_.Advance(1s);
  EXPECT_EQ(Run("reserve-with-timeout 10\r\n"), "DEADLINE_SOON\r\n");
  EXPECT_EQ(Run("touch 1\r\ntouch 2\r\n"), "TOUCHED\r\nNOT_FOUND\r\n");
}

TEST_F(SessionTest, TubeCommands) {
  EXPECT_EQ(Run("use a(b)$;+/._\r\nlist-tube-used\r\n"),
            "USING a(b)$;+/._\r\nUSING a(b)$;+/._\r\n");
  EXPECT_EQ(Run("watch a\r\nignore default\r\nignore a\r\nignore nope\r\n"),
            "WATCHING 2\r\nWATCHING 1\r\nNOT_IGNORED\r\nWATCHING 1\r\n");
  EXPECT_EQ(Run("list-tubes-watched\r\n"), "OK 8\r\n---\n- a\n\r\n");
  EXPECT_EQ(Run("list-tubes\r\n"), "OK 31\r\n---\n- default\n- a(b)$;+/._\n- a\n\r\n");
  EXPECT_EQ(Run("pause-tube a 0\r\npause-tube nope 1\r\n"), "PAUSED\r\nNOT_FOUND\r\n");
}

TEST_F(SessionTest, PeekCommands) {
  EXPECT_EQ(Run("peek-ready\r\npeek-delayed\r\npeek-buried\r\npeek 1\r\n"),
            "NOT_FOUND\r\nNOT_FOUND\r\nNOT_FOUND\r\nNOT_FOUND\r\n");
  Run("put 5 0 10 3\r\nabc\r\nput 5 9 10 1\r\nd\r\n");
  EXPECT_EQ(Run("peek-ready\r\npeek-delayed\r\npeek  1\r\n"),
            "FOUND 1 3\r\nabc\r\nFOUND 2 1\r\nd\r\nFOUND 1 3\r\nabc\r\n");
  EXPECT_EQ(Run("reserve\r\nbury 1 3\r\npeek-buried\r\nkick-job 1\r\nkick-job 1\r\n"),
            "RESERVED 1 3\r\nabc\r\nBURIED\r\nFOUND 1 3\r\nabc\r\nKICKED\r\nNOT_FOUND\r\n");
  EXPECT_EQ(Run("kick -1\r\nkick 5x\r\n"), "KICKED 1\r\nKICKED 0\r\n");
}

TEST_F(SessionTest, StatsJobAndStatsTube) {
  Run("use foo\r\nput 1 5 1 1\r\nx\r\n");
  EXPECT_EQ(Run("stats-job 1\r\n"),
            "OK 141\r\n---\nid: 1\ntube: foo\nstate: delayed\npri: 1\nage: 0\ndelay: 5\nttr: 1\n"
            "time-left: 5\nfile: 0\nreserves: 0\ntimeouts: 0\nreleases: 0\nburies: 0\nkicks: 0\n"
            "\r\n");
  EXPECT_EQ(Run("stats-tube foo\r\n"),
            "OK 261\r\n---\nname: foo\ncurrent-jobs-urgent: 0\ncurrent-jobs-ready: 0\n"
            "current-jobs-reserved: 0\ncurrent-jobs-delayed: 1\ncurrent-jobs-buried: 0\n"
            "total-jobs: 1\ncurrent-using: 1\ncurrent-watching: 0\ncurrent-waiting: 0\n"
            "cmd-delete: 0\ncmd-pause-tube: 0\npause: 0\npause-time-left: 0\n\r\n");
  EXPECT_EQ(Run("stats-tube nope\r\nstats-job 9\r\n"), "NOT_FOUND\r\nNOT_FOUND\r\n");
}

TEST_F(SessionTest, StatsCountsCommandsAndConnections) {
  Run("put 1 0 1 1\r\nx\r\nlist-tubes\r\nfoo\r\n");
  std::string out = Run("stats\r\n");
  ASSERT_EQ(out.substr(0, 3), "OK ");
  const std::size_t header_end = out.find("\r\n");
  const std::string yaml = out.substr(header_end + 2, out.size() - header_end - 4);
  EXPECT_EQ(std::stoul(out.substr(3, header_end - 3)), yaml.size());
  EXPECT_NE(yaml.find("\ncmd-put: 1\n"), std::string::npos);
  EXPECT_NE(yaml.find("\ncmd-list-tubes: 1\n"), std::string::npos);
  EXPECT_NE(yaml.find("\ncmd-stats: 1\n"), std::string::npos);
  EXPECT_NE(yaml.find("\ntotal-jobs: 1\n"), std::string::npos);
  EXPECT_NE(yaml.find("\ncurrent-connections: 1\n"), std::string::npos);
  EXPECT_NE(yaml.find("\nmax-job-size: 65535\n"), std::string::npos);
  EXPECT_NE(yaml.find("\ndraining: false\n"), std::string::npos);
}

TEST_F(SessionTest, QuitClosesAndIgnoresTheRest) {
  std::string out;
  const std::string input = "list-tube-used\r\nquit\r\nlist-tube-used\r\n";
  EXPECT_EQ(session_.Feed(input, out), input.size());
  EXPECT_EQ(out, "USING default\r\n");
  EXPECT_TRUE(session_.ShouldClose());
}

TEST_F(SessionTest, DrainModeAnswersDraining) {
  engine_.SetDraining(true);
  EXPECT_EQ(Run("put 1 0 1 1\r\nx\r\n"), "DRAINING\r\n");
}

TEST_F(SessionTest, MutationsReportTheirLogSequenceNumber) {
  EXPECT_EQ(session_.TakeLsn(), 0u);  // no journal: nothing to wait for
}

TEST_F(SessionTest, OutputHighWaterStopsConsumingInput) {
  jobs::Engine engine({}, clock_);
  Options o;
  o.output_high_water_bytes = 1000;
  Service service(engine, clock_, o);
  Session s(service);
  Run(s, "put 0 0 10 600\r\n" + std::string(600, 'p') + "\r\n");
  std::string input;
  for (int i = 0; i < 10; ++i) input += "peek 1\r\n";
  std::string out;
  const std::size_t used = s.Feed(input, out);
  EXPECT_EQ(used, 2 * std::string("peek 1\r\n").size());
  EXPECT_LT(out.size(), 1000u + 700u);
}

class FullSessionTest : public SessionTest {
 protected:
  static jobs::EngineOptions Limits() {
    jobs::EngineOptions o;
    o.max_jobs = 1;
    return o;
  }
  FullSessionTest() : SessionTest(Limits()) {}
};

TEST_F(FullSessionTest, FullServerAnswersOutOfMemory) {
  EXPECT_EQ(Run("put 1 0 1 1\r\nx\r\nput 1 0 1 1\r\ny\r\n"), "INSERTED 1\r\nOUT_OF_MEMORY\r\n");
}

}  // namespace
}  // namespace beanstalk
