// What SubmitBatch calls may hold: rows and bytes per batch, and memory for
// all batches in progress together. A batch past a limit ends with
// RESOURCE_EXHAUSTED naming the limit, nothing stored; the others go on.
#ifndef HEADCOUNT_INGEST_SERVICE_BATCH_BUDGET_H_
#define HEADCOUNT_INGEST_SERVICE_BATCH_BUDGET_H_

#include <atomic>
#include <cstddef>

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

// A byte budget shared by concurrent batches. Thread-safe.
class BatchBudget {
 public:
  explicit BatchBudget(size_t capacity) : capacity_(capacity) {}

  // Takes `bytes`; false, taking nothing, when the budget would be passed.
  bool TryTake(size_t bytes) {
    size_t used = used_.load(std::memory_order_relaxed);
    do {
      if (bytes > capacity_ - used) return false;
    } while (!used_.compare_exchange_weak(used, used + bytes,
                                          std::memory_order_relaxed));
    return true;
  }
  // Returns what a batch took.
  void Give(size_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }

  size_t capacity() const { return capacity_; }
  size_t used() const { return used_.load(std::memory_order_relaxed); }

 private:
  const size_t capacity_;
  std::atomic<size_t> used_{0};
};

}  // namespace headcount::ingest

#endif  // HEADCOUNT_INGEST_SERVICE_BATCH_BUDGET_H_
