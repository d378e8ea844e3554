#include "core/base/log_writer.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace core::log {
namespace {

// A pipe whose read end the test drains by hand.
struct Pipe {
  Pipe() {
    EXPECT_EQ(::pipe(fds), 0);
    ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
  }
  ~Pipe() {
    ::close(fds[0]);
    ::close(fds[1]);
  }
  std::string Drain() {
    std::string out;
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(fds[0], buf, sizeof buf);
      if (n <= 0) return out;
      out.append(buf, static_cast<std::size_t>(n));
    }
  }
  int fds[2];
};

TEST(BatchWriterTest, HoldsLinesUntilTheBatchFillsOrAFlush) {
  Pipe p;
  BatchWriter w(p.fds[1], /*batch_bytes=*/64);
  w.Append("one");
  w.Append("two");
  EXPECT_EQ(p.Drain(), "");  // below the batch size: nothing written yet
  w.Flush(BatchWriter::Mode::kNonBlocking);
  EXPECT_EQ(p.Drain(), "one\ntwo\n");
}

TEST(BatchWriterTest, WritesWhenTheBatchIsFull) {
  Pipe p;
  BatchWriter w(p.fds[1], /*batch_bytes=*/16);
  w.Append("0123456789");
  w.Append("abcdefghij");  // passes 16 bytes
  EXPECT_EQ(p.Drain(), "0123456789\nabcdefghij\n");
}

TEST(BatchWriterTest, DropsAndCountsInsteadOfWaitingForAStuckConsumer) {
  Pipe p;
  BatchWriter w(p.fds[1], /*batch_bytes=*/1024, /*max_buffered_bytes=*/std::size_t{64} * 1024);
  const std::string line(1000, 'x');
  for (int i = 0; i < 2000; ++i) w.Append(line);  // ~2 MB into a 64 KiB pipe nobody reads
  EXPECT_GT(w.dropped_lines(), 0u);
  std::string got = p.Drain();
  w.Flush(BatchWriter::Mode::kNonBlocking);
  got += p.Drain();
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.size() % (line.size() + 1), 0u);  // whole lines only, in order
}

TEST(BatchWriterTest, LinesFromManyThreadsNeverInterleave) {
  Pipe p;
  std::string got;
  const std::size_t total = std::size_t{4} * 500 * 101;
  std::thread reader([&] {  // drains until it has everything (bounded: 30 s)
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (got.size() < total && std::chrono::steady_clock::now() < deadline) {
      got += p.Drain();
      std::this_thread::yield();
    }
  });
  {
    BatchWriter w(p.fds[1], /*batch_bytes=*/4096);
    std::vector<std::thread> writers;
    for (char c : {'a', 'b', 'c', 'd'}) {
      writers.emplace_back([&w, c] {
        for (int i = 0; i < 500; ++i) w.Append(std::string(100, c));
      });
    }
    for (auto& t : writers) t.join();
    w.Flush(BatchWriter::Mode::kBlocking);
  }
  reader.join();
  ASSERT_EQ(got.size(), total);
  for (std::size_t i = 0; i < got.size(); i += 101) {
    EXPECT_EQ(got.find_first_not_of(got[i], i), i + 100) << "line at " << i << " is mixed";
  }
}

}  // namespace
}  // namespace core::log
