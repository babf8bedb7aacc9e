#include "ingest_service/batch_budget.h"

#include "common/domain/mutex.h"

namespace headcount::ingest {

uint64_t BatchBudget::Begin() {
  MutexLock lock(&mu_);
  const uint64_t ticket = next_ticket_++;
  in_progress_.insert(ticket);
  return ticket;
}

bool BatchBudget::TryTake(uint64_t ticket, size_t bytes) {
  MutexLock lock(&mu_);
  const bool oldest = !in_progress_.empty() && *in_progress_.begin() == ticket;
  if (!oldest && bytes > capacity_ - std::min(used_, capacity_)) return false;
  used_ += bytes;
  return true;
}

void BatchBudget::End(uint64_t ticket, size_t bytes) {
  MutexLock lock(&mu_);
  in_progress_.erase(ticket);
  used_ -= bytes;
}

size_t BatchBudget::used() const {
  MutexLock lock(&mu_);
  return used_;
}

}  // namespace headcount::ingest
