#include "03_job_queue_worker_mini/engine/job_table.hpp"

namespace jobs {

namespace {
constexpr unsigned kInitialBits = 6;
}

JobTable::JobTable() : slots_(std::size_t{1} << kInitialBits, nullptr), shift_(64 - kInitialBits) {}

Job* JobTable::Find(JobId id) const noexcept {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = SlotOf(id);; i = (i + 1) & mask) {
    Job* j = slots_[i];
    if (j == nullptr || j->id == id) return j;
  }
}

void JobTable::Insert(Job* job) {
  if ((size_ + 1) * 2 > slots_.size()) Grow();
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = SlotOf(job->id);
  while (slots_[i] != nullptr) i = (i + 1) & mask;
  slots_[i] = job;
  ++size_;
}

void JobTable::Erase(JobId id) noexcept {
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = SlotOf(id);
  while (slots_[i] != nullptr && slots_[i]->id != id) i = (i + 1) & mask;
  if (slots_[i] == nullptr) return;
  // Backward-shift deletion: move later members of the cluster into the hole when their home
  // slot does not lie (cyclically) between the hole and their current slot.
  std::size_t hole = i;
  for (std::size_t j = (hole + 1) & mask; slots_[j] != nullptr; j = (j + 1) & mask) {
    const std::size_t home = SlotOf(slots_[j]->id);
    const bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
    if (!stays) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole] = nullptr;
  --size_;
}

void JobTable::Grow() {
  std::vector<Job*> old;
  old.swap(slots_);
  slots_.assign(old.size() * 2, nullptr);
  --shift_;
  size_ = 0;
  for (Job* j : old) {
    if (j != nullptr) Insert(j);
  }
}

}  // namespace jobs
