// The thread-safety check's own test input (thread_safety_test.sh). clang -Wthread-safety must
// accept it as written, and reject it with each SD_TSA_CASE, each a lock forgotten in a different
// way. Uses the project's real annotations (core/base/mutex.hpp), so it fails if they stop
// reaching clang.
#include "core/base/mutex.hpp"

namespace {

class Mailbox {
 public:
  void Put(int value) {
#if SD_TSA_CASE == 1
    value_ = value;  // a guarded member written without its lock
    full_ = true;
#elif SD_TSA_CASE == 2
    PutLocked(value);  // an SD_REQUIRES helper called without the lock
#else
    core::MutexLock lock(mu_);
    PutLocked(value);
#endif
    changed_.NotifyAll();
  }

  int Take() {
    core::MutexLock lock(mu_);
#if SD_TSA_CASE == 3
    lock.Unlock();  // then waits on a lock it no longer holds
#endif
    while (!full_) changed_.Wait(mu_);
    full_ = false;
    return value_;
  }

 private:
  void PutLocked(int value) SD_REQUIRES(mu_) {
    value_ = value;
    full_ = true;
  }

  core::Mutex mu_;
  core::CondVar changed_;
  int value_ SD_GUARDED_BY(mu_) = 0;
  bool full_ SD_GUARDED_BY(mu_) = false;
};

}  // namespace

int main() {
  Mailbox box;
  box.Put(7);
  return box.Take() == 7 ? 0 : 1;
}
