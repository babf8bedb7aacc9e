#include "common/server/periodic_task.h"

#include <utility>

#include "common/domain/mutex.h"

namespace headcount {

PeriodicTask::PeriodicTask(absl::Duration interval, std::function<void()> task)
    : interval_(interval), task_(std::move(task)) {
  thread_ = std::thread([this] { Run(); });
}

PeriodicTask::~PeriodicTask() { Stop(); }

void PeriodicTask::Stop() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void PeriodicTask::Run() {
  while (true) {
    {
      MutexLock lock(&mu_);
      if (stopping_) return;
    }
    task_();
    MutexLock lock(&mu_);
    AwaitWithTimeout(&mu_, absl::Condition(&stopping_), interval_);
    if (stopping_) return;
  }
}

}  // namespace headcount
