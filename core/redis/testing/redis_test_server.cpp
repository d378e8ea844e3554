#include "core/redis/testing/redis_test_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

namespace core::testing {

namespace {

sockaddr_in Loopback(std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

// One blocking PING on a fresh connection, with a short receive timeout.
bool Pings(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  timeval tv{0, 200'000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const sockaddr_in addr = Loopback(port);
  bool ok = false;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) {
    constexpr char kPing[] = "PING\r\n";
    char reply[16] = {};
    if (::send(fd, kPing, sizeof kPing - 1, MSG_NOSIGNAL) == sizeof kPing - 1) {
      ok = ::recv(fd, reply, sizeof reply - 1, 0) >= 5 && std::strncmp(reply, "+PONG", 5) == 0;
    }
  }
  ::close(fd);
  return ok;
}

}  // namespace

std::uint16_t FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr = Loopback(0);
  socklen_t len = sizeof addr;
  std::uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

RedisTestServer::RedisTestServer() {
  if (::access(kRedisServerBinary, X_OK) != 0) {
    error_ = std::string(kRedisServerBinary) + " not found";
    return;
  }
  // Another process may take the port between FreeLoopbackPort and redis's bind: try a few.
  for (int attempt = 0; attempt < 5; ++attempt) {
    const std::uint16_t port = FreeLoopbackPort();
    if (port != 0 && Launch(port)) return;
  }
}

RedisTestServer::~RedisTestServer() { Kill(); }

void RedisTestServer::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

bool RedisTestServer::Restart() {
  Kill();
  return Launch(port_);
}

bool RedisTestServer::Launch(std::uint16_t port) {
  const std::string port_text = std::to_string(port);
  std::vector<std::string> args = {kRedisServerBinary,
                                   "--port",
                                   port_text,
                                   "--bind",
                                   "127.0.0.1",
                                   "--save",
                                   "",
                                   "--appendonly",
                                   "no",
                                   "--enable-debug-command",
                                   "local",
                                   "--dir",
                                   "/tmp",
                                   "--loglevel",
                                   "warning",
                                   "--daemonize",
                                   "no"};
  std::vector<char*> argv;  // built before fork: the child only calls async-signal-safe functions
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  const pid_t pid = ::fork();
  if (pid < 0) {
    error_ = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // a crashed test must not leave servers behind
    const int null_fd = ::open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
      ::dup2(null_fd, STDIN_FILENO);
      ::dup2(null_fd, STDOUT_FILENO);
      ::dup2(null_fd, STDERR_FILENO);
    }
    ::execv(kRedisServerBinary, argv.data());
    ::_exit(127);
  }
  pid_ = pid;
  port_ = port;
  // Poll with a bound: the server is up when it answers PING; it exiting means it could not bind.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < give_up) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      error_ = "redis-server exited during start-up on port " + port_text;
      return false;
    }
    if (Pings(port)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  Kill();
  error_ = "redis-server did not answer PING within 10 s on port " + port_text;
  return false;
}

}  // namespace core::testing
