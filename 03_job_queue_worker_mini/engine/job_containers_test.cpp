// The job table and the indexed heap against simple reference containers, under random churn.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "03_job_queue_worker_mini/engine/job_heap.hpp"
#include "03_job_queue_worker_mini/engine/job_table.hpp"

namespace jobs {
namespace {

TEST(JobTableTest, MatchesAMapUnderRandomInsertAndErase) {
  std::mt19937_64 rng(7);
  JobTable table;
  std::map<JobId, JobPtr> reference;
  JobId next = 1;
  for (int step = 0; step < 200000; ++step) {
    if (reference.empty() || rng() % 3 != 0) {
      JobPtr j = MakeJob(next++, "");
      table.Insert(j.get());
      reference.emplace(j->id, std::move(j));
    } else {
      auto it = reference.lower_bound(1 + rng() % next);
      if (it == reference.end()) it = reference.begin();
      table.Erase(it->first);
      reference.erase(it);
    }
    if (step % 1000 == 0) {
      ASSERT_EQ(table.size(), reference.size());
      for (JobId id = 1; id < next; id += 37) {
        auto it = reference.find(id);
        ASSERT_EQ(table.Find(id), it == reference.end() ? nullptr : it->second.get()) << id;
      }
    }
  }
  std::size_t visited = 0;
  table.ForEach([&](Job* j) {
    ASSERT_TRUE(reference.count(j->id));
    ++visited;
  });
  EXPECT_EQ(visited, reference.size());
}

TEST(JobTableTest, ErasingAnAbsentIdChangesNothing) {
  JobTable table;
  JobPtr j = MakeJob(5, "x");
  table.Insert(j.get());
  table.Erase(6);
  EXPECT_EQ(table.size(), 1u);
  EXPECT_EQ(table.Find(5), j.get());
}

TEST(JobHeapTest, PopsByPriorityThenIdAndRemovesFromTheMiddle) {
  std::mt19937_64 rng(11);
  JobHeap<ByPriority> heap;
  std::vector<JobPtr> owned;
  std::set<std::pair<std::uint32_t, JobId>> reference;
  for (JobId id = 1; id <= 5000; ++id) {
    owned.push_back(MakeJob(id, ""));
    owned.back()->pri = static_cast<std::uint32_t>(rng() % 50);
    heap.Push(owned.back().get());
    reference.emplace(owned.back()->pri, id);
  }
  // Remove a third of them from arbitrary positions.
  for (JobId id = 3; id <= 5000; id += 3) {
    Job* j = owned[id - 1].get();
    ASSERT_TRUE(heap.Contains(j));
    heap.Remove(j);
    reference.erase({j->pri, id});
  }
  for (const auto& [pri, id] : reference) {
    Job* top = heap.Pop();
    ASSERT_NE(top, nullptr);
    ASSERT_EQ(top->pri, pri);
    ASSERT_EQ(top->id, id);
  }
  EXPECT_TRUE(heap.empty());
  EXPECT_EQ(heap.Pop(), nullptr);
}

}  // namespace
}  // namespace jobs
