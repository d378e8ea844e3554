#include "03_job_queue_worker_mini/lesson/seed_demo.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "03_job_queue_worker_mini/lesson/testing_wait.hpp"

namespace lesson {
namespace {

// The work of every job waits until the producer has either blocked on a full buffer or finished,
// so the interleaving the demo teaches is forced, not hoped for.
void WaitForProducer(int, const WorkQueue<int>& queue, int jobs) {
  ASSERT_TRUE(testing::WaitUntil([&] {
    const QueueStats s = queue.Stats();
    return s.blocked_producers > 0 || s.closed || static_cast<int>(s.pushed + s.rejected) >= jobs;
  }));
}

TEST(SeedDemoTest, ProducerBlocksOnAFullBufferAndNothingIsLost) {
  DemoOptions o;  // the seed's numbers: 12 jobs, 3 workers, buffer 4
  o.work = [&](int job, const WorkQueue<int>& q) { WaitForProducer(job, q, o.jobs); };
  std::ostringstream out;
  const DemoReport r = RunSeedDemo(o, out);
  EXPECT_EQ(r.accepted, 12);
  EXPECT_EQ(r.processed, 12);
  EXPECT_EQ(r.rejected, 0);
  EXPECT_GE(r.blocked, 1);
  EXPECT_EQ(r.max_depth, 4u);
  EXPECT_NE(out.str().find("buffer full: BLOCKED on job "), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("close: no more work"), std::string::npos);
}

TEST(SeedDemoTest, RejectPolicyRefusesInsteadOfWaiting) {
  DemoOptions o;
  o.policy = FullPolicy::kReject;
  o.work = [&](int job, const WorkQueue<int>& q) { WaitForProducer(job, q, o.jobs); };
  std::ostringstream out;
  const DemoReport r = RunSeedDemo(o, out);
  EXPECT_EQ(r.blocked, 0);
  EXPECT_GE(r.rejected, 1);
  EXPECT_EQ(r.accepted + r.rejected, 12);
  EXPECT_EQ(r.processed, r.accepted);
  EXPECT_NE(out.str().find("buffer full: REJECTED"), std::string::npos) << out.str();
}

}  // namespace
}  // namespace lesson
