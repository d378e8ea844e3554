#include "core/pg/testing/pg_test_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>
#include <vector>

#include "core/pg/pg_pool.hpp"

namespace core::pg::testing {
namespace {

std::uint16_t FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  std::uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

// The user the server runs as: ourselves, or `nobody` when we are root.
struct RunAs {
  bool drop = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

RunAs WhoRuns() {
  RunAs as;
  if (::geteuid() != 0) return as;
  const passwd* pw = ::getpwnam("nobody");
  if (pw == nullptr) return as;
  as.drop = true;
  as.uid = pw->pw_uid;
  as.gid = pw->pw_gid;
  return as;
}

// fork + (drop privileges) + exec; returns the child's pid or -1. Output goes to `log_path`.
pid_t Spawn(const std::vector<std::string>& args, const RunAs& as, const std::string& log_path) {
  std::vector<char*> argv;  // built before fork: the child only calls async-signal-safe functions
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  if (as.drop && (::setgroups(0, nullptr) != 0 || ::setgid(as.gid) != 0 || ::setuid(as.uid) != 0)) {
    ::_exit(126);
  }
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // set after setuid, which clears it: no orphan servers
  const int null_fd = ::open("/dev/null", O_RDONLY);
  const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
  if (log_fd >= 0) {
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
  }
  ::execv(argv[0], argv.data());
  ::_exit(127);
}

std::string Tail(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return {};
  std::string text;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
  std::fclose(f);
  return text.size() > 1500 ? text.substr(text.size() - 1500) : text;
}

}  // namespace

std::string PostgresBinDir() {
  std::string best;
  int best_major = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    const int major = std::atoi(entry.path().filename().c_str());
    if (major > best_major && std::filesystem::exists(entry.path() / "bin" / "postgres")) {
      best_major = major;
      best = (entry.path() / "bin").string();
    }
  }
  return best;
}

PgTestServer::PgTestServer(PgTestServerOptions options) : options_(options) {
  char tmpl[] = "/tmp/sd-pg-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    error_ = std::string("mkdtemp: ") + std::strerror(errno);
    return;
  }
  dir_ = tmpl;
  const RunAs as = WhoRuns();
  if (as.drop && ::chown(dir_.c_str(), as.uid, as.gid) != 0) {
    error_ = std::string("chown: ") + std::strerror(errno);
    return;
  }
  if (!InitDb()) return;
  // Another process may take the port between FreePort and the server's bind: try a few.
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = FreePort();
    if (port_ != 0 && Start()) return;
  }
}

PgTestServer::~PgTestServer() {
  Stop();
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string PgTestServer::conninfo() const {
  return "host=127.0.0.1 port=" + std::to_string(port_) +
         " dbname=postgres user=sd connect_timeout=5";
}

bool PgTestServer::InitDb() {
  const std::string bin = PostgresBinDir();
  if (bin.empty()) {
    error_ = "no PostgreSQL server under /usr/lib/postgresql (apt-get install postgresql)";
    return false;
  }
  const std::string log = dir_ + "/initdb.log";
  const pid_t pid = Spawn({bin + "/initdb", "-D", dir_ + "/data", "-U", "sd", "--auth=trust", "-E",
                           "UTF8", "--locale=C", "--no-sync"},
                          WhoRuns(), log);
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
      WEXITSTATUS(status) != 0) {
    error_ = "initdb failed: " + Tail(log);
    return false;
  }
  return true;
}

bool PgTestServer::Start() {
  Stop();
  const std::string bin = PostgresBinDir();
  const std::string log = dir_ + "/postgres.log";
  const std::string port_text = std::to_string(port_);
  std::vector<std::string> args = {bin + "/postgres",
                                   "-D",
                                   dir_ + "/data",
                                   "-p",
                                   port_text,
                                   "-k",
                                   dir_,
                                   "-c",
                                   "listen_addresses=127.0.0.1",
                                   "-c",
                                   "max_connections=" + std::to_string(options_.max_connections),
                                   "-c",
                                   std::string("fsync=") + (options_.fsync ? "on" : "off"),
                                   "-c",
                                   "shared_buffers=64MB"};
  if (!options_.fsync) {
    args.insert(args.end(), {"-c", "synchronous_commit=off", "-c", "full_page_writes=off"});
  }
  pid_ = Spawn(args, WhoRuns(), log);
  if (pid_ < 0) {
    error_ = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  const std::string info = conninfo();
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < give_up) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      error_ = "postgres exited during start-up on port " + port_text + ": " + Tail(log);
      return false;
    }
    if (PQping(info.c_str()) == PQPING_OK) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Stop();
  error_ = "postgres did not accept connections within 60 s on port " + port_text;
  return false;
}

void PgTestServer::Stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGQUIT);  // immediate shutdown: the postmaster takes its backends down with it
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > give_up) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
}

PgTestServer& SharedPgTestServer() {
  static PgTestServer server;
  return server;
}

Result<std::string> NewSchema(PgTestServer& server, std::string_view prefix) {
  static std::atomic<int> next_schema{0};
  const std::string schema =
      std::string(prefix) + std::to_string(::getpid()) + "_" + std::to_string(next_schema++);
  PgPoolOptions admin_options;
  admin_options.conninfo = server.conninfo();
  PgPool admin(admin_options);
  auto created = RunToCompletion(admin.Query("CREATE SCHEMA " + schema));
  if (!created) return created.error();
  if (!created->ok()) return StatementError(*created);
  return server.conninfo() + " options=-csearch_path=" + schema;
}

}  // namespace core::pg::testing
