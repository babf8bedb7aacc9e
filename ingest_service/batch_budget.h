// What SubmitBatch calls may hold: rows and bytes per batch, and memory for
// all batches in progress together. A batch past a limit ends with
// RESOURCE_EXHAUSTED naming the limit, nothing stored; the others go on.
#ifndef HEADCOUNT_INGEST_SERVICE_BATCH_BUDGET_H_
#define HEADCOUNT_INGEST_SERVICE_BATCH_BUDGET_H_

#include <cstddef>
#include <cstdint>
#include <set>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace headcount::ingest {

struct BatchLimits {
  // Rows in one batch (--max_batch_rows); a province's schools fit.
  int max_rows = 100'000;
  // Bytes of one batch as sent (--max_batch_mib).
  size_t max_bytes = size_t{64} << 20;
  // Memory held by the rows of every batch in progress (--batch_memory_mib),
  // counted as parsed messages.
  size_t memory_bytes = size_t{512} << 20;
};

// A byte budget shared by concurrent batches. The oldest batch in progress
// may always take more (up to its own row and byte limits), so that
// batches arriving together cannot refuse one another for ever: memory is
// bounded by the budget plus one batch. Thread-safe.
class BatchBudget {
 public:
  explicit BatchBudget(size_t capacity) : capacity_(capacity) {}

  // A new batch; its ticket orders it among those in progress.
  uint64_t Begin() ABSL_LOCKS_EXCLUDED(mu_);
  // Takes `bytes` for batch `ticket`; false, taking nothing, when that
  // would pass the budget and an older batch is in progress.
  bool TryTake(uint64_t ticket, size_t bytes) ABSL_LOCKS_EXCLUDED(mu_);
  // The batch is done: returns the `bytes` it took.
  void End(uint64_t ticket, size_t bytes) ABSL_LOCKS_EXCLUDED(mu_);

  size_t capacity() const { return capacity_; }
  size_t used() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  const size_t capacity_;
  mutable absl::Mutex mu_;
  size_t used_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t next_ticket_ ABSL_GUARDED_BY(mu_) = 0;
  std::set<uint64_t> in_progress_ ABSL_GUARDED_BY(mu_);
};

}  // namespace headcount::ingest

#endif  // HEADCOUNT_INGEST_SERVICE_BATCH_BUDGET_H_
