// What only the SQLite store has: a file, its directory, group commit, bounded queues, and the ways
// a file can be bad (not a database, no room left).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>
#include <future>

#include "02_url_shortener_service_mini/store/sqlite_link_store.hpp"
#include "core/pg/testing/pg_test_server.hpp"

namespace shortener {
namespace {

using core::pg::testing::RunToCompletion;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sd-sqlite-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  SqliteExecutorOptions Options(const std::string& name = "links.db") {
    SqliteExecutorOptions o;
    o.path = dir_ + "/" + name;
    o.synchronous_full = false;
    return o;
  }
  static NewLink Link(std::string code) {
    NewLink l;
    l.code = std::move(code);
    l.url = "https://example.com/";
    l.created_at = 1;
    return l;
  }

  std::string dir_;
};

// Occupies the writer thread until released, so that what is queued meanwhile forms one batch.
class WriterBlock {
 public:
  explicit WriterBlock(SqliteLinkStore& store) {
    std::function<core::Result<void>(SqliteDb&)> op = [this](SqliteDb&) -> core::Result<void> {
      started_.set_value();
      release_.get_future().wait();
      return {};
    };
    boost::asio::co_spawn(ioc_, store.executor().Write<void>(std::move(op)), boost::asio::detached);
    thread_ = std::thread([this] { ioc_.run_for(std::chrono::seconds(60)); });
    started_.get_future().wait();
  }
  ~WriterBlock() {
    Release();
    thread_.join();
  }
  void Release() {
    if (!released_.exchange(true)) release_.set_value();
  }

 private:
  boost::asio::io_context ioc_;
  std::promise<void> started_;
  std::promise<void> release_;
  std::atomic<bool> released_{false};
  std::thread thread_;
};

core::Task<void> Insert(LinkStore* store, NewLink link, std::vector<core::Code>* out) {
  core::Result<shortener::Link> r = co_await store->Insert(std::move(link));
  out->push_back(r ? core::Code::kOk : r.error().code);
}

TEST_F(SqliteStoreTest, CreatesItsDirectoryOnFirstStartAndKeepsLinksAcrossReopen) {
  SqliteExecutorOptions o = Options();
  o.path = dir_ + "/nested/deeper/links.db";
  {
    auto store = SqliteLinkStore::Open(o);
    ASSERT_TRUE(store) << store.error().detail;
    ASSERT_TRUE(RunToCompletion((*store)->Insert(Link("keep001"))));
  }
  EXPECT_TRUE(std::filesystem::exists(o.path));
  auto reopened = SqliteLinkStore::Open(o);
  ASSERT_TRUE(reopened);
  auto found = RunToCompletion((*reopened)->Find("keep001"));
  ASSERT_TRUE(found && found->has_value());
}

TEST_F(SqliteStoreTest, AFileThatIsNotADatabaseIsAClearError) {
  SqliteExecutorOptions o = Options();
  {
    std::ofstream junk(o.path);
    junk << std::string(8192, 'x');
  }
  auto store = SqliteLinkStore::Open(o);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, core::Code::kUnavailable);
  EXPECT_NE(store.error().detail.find(o.path), std::string::npos) << store.error().detail;
  EXPECT_NE(store.error().detail.find("not a database"), std::string::npos) << store.error().detail;
}

TEST_F(SqliteStoreTest, ADirectoryThatCannotBeCreatedIsAClearError) {
  { std::ofstream file(dir_ + "/plainfile"); }
  SqliteExecutorOptions o = Options();
  o.path = dir_ + "/plainfile/links.db";  // a file where a directory should be (root-proof)
  auto store = SqliteLinkStore::Open(o);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, core::Code::kUnavailable);
  EXPECT_NE(store.error().detail.find("cannot create its directory"), std::string::npos)
      << store.error().detail;
}

TEST_F(SqliteStoreTest, WritesWaitingTogetherCommitAsOneBatchAndAFailureStaysLocal) {
  auto store = SqliteLinkStore::Open(Options());
  ASSERT_TRUE(store);
  ASSERT_TRUE(RunToCompletion((*store)->Insert(Link("dup0001"))));
  std::vector<core::Code> results;
  {
    WriterBlock block(**store);
    boost::asio::io_context ioc;
    for (const char* code : {"bat0001", "dup0001", "bat0002", "bat0003"}) {
      boost::asio::co_spawn(ioc, Insert(store->get(), Link(code), &results), boost::asio::detached);
    }
    ioc.poll();  // every insert is now queued behind the block
    const auto commits_before = (*store)->executor().Stats().commits;
    block.Release();
    ioc.run_for(std::chrono::seconds(60));
    EXPECT_EQ((*store)->executor().Stats().commits - commits_before, 2u);  // block + one batch
  }
  EXPECT_EQ(results, (std::vector<core::Code>{core::Code::kOk, core::Code::kConflict,
                                              core::Code::kOk, core::Code::kOk}));
  EXPECT_GE((*store)->executor().Stats().largest_batch, 4u);
  for (const char* code : {"bat0001", "bat0002", "bat0003"}) {
    EXPECT_TRUE(RunToCompletion((*store)->Find(code))->has_value()) << code;
  }
}

TEST_F(SqliteStoreTest, AFullQueueRefusesAtOnce) {
  SqliteExecutorOptions o = Options();
  o.max_queue = 2;
  auto store = SqliteLinkStore::Open(o);
  ASSERT_TRUE(store);
  std::vector<core::Code> results;
  {
    WriterBlock block(**store);
    boost::asio::io_context ioc;
    for (int i = 0; i < 5; ++i) {
      boost::asio::co_spawn(ioc, Insert(store->get(), Link("q00000" + std::to_string(i)), &results),
                            boost::asio::detached);
    }
    ioc.poll();
    EXPECT_EQ(results, std::vector<core::Code>(3, core::Code::kUnavailable));
    block.Release();
    ioc.run_for(std::chrono::seconds(60));
  }
  EXPECT_EQ(results.size(), 5u);
  EXPECT_EQ((*store)->executor().Stats().rejected, 3u);
}

TEST_F(SqliteStoreTest, AFullDiskFailsWritesAndPingButReadsGoOn) {
  auto store = SqliteLinkStore::Open(Options());
  ASSERT_TRUE(store);
  ASSERT_TRUE(RunToCompletion((*store)->Insert(Link("before1"))));
  // SQLite's own page limit stands in for a full disk: the same SQLITE_FULL error.
  std::function<core::Result<void>(SqliteDb&)> limit = [](SqliteDb& db) {
    auto pages = db.QueryInt("PRAGMA page_count");
    if (!pages) return core::Result<void>(pages.error());
    return db.Exec("PRAGMA max_page_count = " + std::to_string(*pages));
  };
  ASSERT_TRUE(RunToCompletion((*store)->executor().Write<void>(std::move(limit))));
  core::Result<shortener::Link> last;
  for (int i = 0; i < 2000; ++i) {  // fill the last free pages
    last =
        RunToCompletion((*store)->Insert(Link("fill" + std::to_string(i) + std::string(200, 'x'))));
    if (!last) break;
  }
  ASSERT_FALSE(last);
  EXPECT_EQ(last.error().code, core::Code::kUnavailable);
  EXPECT_NE(last.error().detail.find("full"), std::string::npos) << last.error().detail;
  auto ping = RunToCompletion((*store)->Ping());
  (void)ping;  // the heartbeat row may still fit in place; creates are what must fail
  auto read = RunToCompletion((*store)->Find("before1"));
  ASSERT_TRUE(read && read->has_value());
}

TEST_F(SqliteStoreTest, ClosingFailsWhatIsStillQueued) {
  auto store = SqliteLinkStore::Open(Options());
  ASSERT_TRUE(store);
  (*store)->Close();
  auto r = RunToCompletion((*store)->Insert(Link("late001")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::Code::kUnavailable);
}

}  // namespace
}  // namespace shortener
