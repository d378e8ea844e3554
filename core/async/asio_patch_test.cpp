// The patched Asio header (asio_patch/, see core/README.md "System calls per request"): after a
// read that returned fewer bytes than asked for, the next read waits for epoll instead of calling
// recv first — and still sees every byte that arrives later.
//
// The test counts receive calls by defining recv and recvmsg here: the linker binds Asio's calls
// (compiled into sd_async) to these, which count and then make the system call themselves.
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <optional>
#include <string>

#include <gtest/gtest.h>

namespace {
std::atomic<int> g_receive_calls{0};
}  // namespace

extern "C" ssize_t recv(int fd, void* buf, size_t len, int flags) {
  g_receive_calls.fetch_add(1, std::memory_order_relaxed);
  return syscall(SYS_recvfrom, fd, buf, len, flags, nullptr, nullptr);
}

extern "C" ssize_t recvmsg(int fd, struct msghdr* msg, int flags) {
  g_receive_calls.fetch_add(1, std::memory_order_relaxed);
  return syscall(SYS_recvmsg, fd, msg, flags);
}

namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// A connected loopback pair: `client` is written to with blocking writes, `server` read from
// asynchronously on `ioc`.
class AsioPatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tcp::acceptor acceptor(ioc_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    client_.connect(acceptor.local_endpoint());
    acceptor.accept(server_);
  }

  void Send(std::string_view bytes) { net::write(client_, net::buffer(bytes)); }

  // Starts one async read into `buffer` and returns how many receive calls starting it made.
  template <class Buffers>
  int StartRead(const Buffers& buffers, net::socket_base::message_flags flags = 0) {
    done_.reset();
    const int before = g_receive_calls.load();
    server_.async_receive(buffers, flags, [this](boost::system::error_code ec, std::size_t n) {
      done_ = ec ? std::string::npos : n;
    });
    return g_receive_calls.load() - before;
  }

  // Runs the io_context until the read completes (bounded: a lost wake-up fails, never hangs).
  std::size_t Finish() {
    ioc_.restart();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done_ && std::chrono::steady_clock::now() < deadline) {
      ioc_.run_one_for(std::chrono::milliseconds(100));
    }
    EXPECT_TRUE(done_.has_value()) << "the read never completed";
    return done_.value_or(0);
  }

  net::io_context ioc_;
  tcp::socket client_{ioc_};
  tcp::socket server_{ioc_};
  std::array<char, 64> buf_{};
  std::optional<std::size_t> done_;
};

TEST_F(AsioPatchTest, IsOnTheIncludePath) {
#ifndef SD_ASIO_SHORT_READ_DRAINS
  FAIL() << "core/async/asio_patch is not ahead of /usr/include";
#endif
}

// A server's loop: read a request (the read waits in epoll until it comes), answer, read again.
TEST_F(AsioPatchTest, AReadAfterAShortReadWaitsForEpollInsteadOfCallingRecv) {
  EXPECT_EQ(StartRead(net::buffer(buf_)), 1);  // nothing there yet: EAGAIN, then epoll
  Send("ping");
  EXPECT_EQ(Finish(), 4U);  // 4 of 64 bytes: the socket is drained

  EXPECT_EQ(StartRead(net::buffer(buf_)), 0) << "Asio 1.81 unpatched calls recv here (EAGAIN)";
  Send("pong");
  EXPECT_EQ(Finish(), 4U);
  EXPECT_EQ(std::string(buf_.data(), 4), "pong");
  EXPECT_EQ(StartRead(net::buffer(buf_)), 0);
  Send("again");
  EXPECT_EQ(Finish(), 5U);
}

TEST_F(AsioPatchTest, BytesThatArriveBeforeTheNextReadStartsAreStillDelivered) {
  StartRead(net::buffer(buf_));
  Send("one");
  EXPECT_EQ(Finish(), 3U);
  Send("two");  // arrives while no read is pending: epoll reports it, the next read takes it
  StartRead(net::buffer(buf_));
  EXPECT_EQ(Finish(), 3U);
  EXPECT_EQ(std::string(buf_.data(), 3), "two");
}

TEST_F(AsioPatchTest, AFullReadKeepsReadingSpeculatively) {
  Send(std::string(64, 'x') + "tail");
  StartRead(net::buffer(buf_));
  EXPECT_EQ(Finish(), 64U);  // filled the buffer: more may be waiting
  EXPECT_EQ(StartRead(net::buffer(buf_)), 1);
  EXPECT_EQ(Finish(), 4U);
}

TEST_F(AsioPatchTest, AShortScatterReadCountsEveryBuffer) {
  std::array<char, 4> a{};
  std::array<char, 4> b{};
  const std::array<net::mutable_buffer, 2> both{net::buffer(a), net::buffer(b)};
  StartRead(both);
  Send("123456");  // fills `a`, part of `b`: short of the 8 asked for
  EXPECT_EQ(Finish(), 6U);
  EXPECT_EQ(StartRead(both), 0);
  Send("78");
  EXPECT_EQ(Finish(), 2U);
}

TEST_F(AsioPatchTest, AShortPeekDoesNotWaitForMoreBytes) {
  Send("peek");
  StartRead(net::buffer(buf_), net::socket_base::message_peek);
  EXPECT_EQ(Finish(), 4U);
  // The bytes are still there and no new ones will come: waiting for epoll would hang.
  StartRead(net::buffer(buf_), net::socket_base::message_peek);
  EXPECT_EQ(Finish(), 4U);
  StartRead(net::buffer(buf_));
  EXPECT_EQ(Finish(), 4U);
}

TEST_F(AsioPatchTest, EndOfFileIsStillReported) {
  Send("bye");
  StartRead(net::buffer(buf_));
  EXPECT_EQ(Finish(), 3U);
  StartRead(net::buffer(buf_));
  client_.shutdown(tcp::socket::shutdown_send);
  EXPECT_EQ(Finish(), std::string::npos);  // eof
}

}  // namespace
