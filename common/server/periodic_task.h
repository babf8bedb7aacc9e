// A task run on its own thread at a fixed interval until stopped: checks
// that depend on the time rather than on a request (the audit's coverage
// deadlines).
#ifndef HEADCOUNT_COMMON_SERVER_PERIODIC_TASK_H_
#define HEADCOUNT_COMMON_SERVER_PERIODIC_TASK_H_

#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace headcount {

class PeriodicTask {
 public:
  // Runs `task` now and then every `interval` (of the real clock) on a new
  // thread, until Stop or destruction.
  PeriodicTask(absl::Duration interval, std::function<void()> task);
  // Stops.
  ~PeriodicTask();

  // Waits for a running `task` to return; no run starts after this.
  // Idempotent.
  void Stop();

 private:
  void Run();

  const absl::Duration interval_;
  const std::function<void()> task_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_SERVER_PERIODIC_TASK_H_
