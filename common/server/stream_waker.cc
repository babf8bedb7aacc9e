#include "common/server/stream_waker.h"

#include <algorithm>

#include "absl/time/clock.h"
#include "common/domain/mutex.h"

namespace headcount {
namespace {

constexpr absl::Duration kPausePerStream = absl::Microseconds(20);

}  // namespace

StreamWaker::StreamWaker(absl::Duration tick, absl::Duration min_pass_interval)
    : tick_(tick), min_pass_interval_(min_pass_interval) {
  thread_ = std::thread([this] { Run(); });
}

StreamWaker::~StreamWaker() {
  {
    MutexLock lock(&signal_mu_);
    stopping_ = true;
  }
  thread_.join();
}

void StreamWaker::Add(Subscriber* subscriber) {
  MutexLock lock(&mu_);
  subscribers_.insert(subscriber);
  if (closed_) subscriber->Close();
}

void StreamWaker::Remove(Subscriber* subscriber) {
  MutexLock lock(&mu_);
  subscribers_.erase(subscriber);
}

size_t StreamWaker::subscribers() const {
  MutexLock lock(&mu_);
  return subscribers_.size();
}

void StreamWaker::Notify() {
  // Never waits for a pass over the subscribers: the committing thread
  // calls this.
  MutexLock lock(&signal_mu_);
  notified_ = true;
}

void StreamWaker::CloseAll() {
  MutexLock lock(&mu_);
  closed_ = true;
  for (Subscriber* subscriber : subscribers_) subscriber->Close();
}

void StreamWaker::Run() {
  while (true) {
    {
      MutexLock lock(&signal_mu_);
      AwaitWithTimeout(
          &signal_mu_,
          absl::Condition(
              +[](StreamWaker* self)
                   ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->signal_mu_) {
                     return self->notified_ || self->stopping_;
                   },
              this),
          tick_);
      if (stopping_) return;
      notified_ = false;
    }
    size_t woken = 0;
    {
      MutexLock lock(&mu_);
      if (closed_) continue;
      for (Subscriber* subscriber : subscribers_) subscriber->Wake();
      woken = subscribers_.size();
    }
    // The pause that bounds the passes grows with the streams that each
    // pass wakes: one stream (the audit following the ingest) is woken
    // again within 20 us, which took 1-1.5 ms off an alert's median
    // (BENCHMARKS.md); a thousand watchers still share one pass per
    // `min_pass_interval`.
    absl::SleepFor(std::min(min_pass_interval_,
                            kPausePerStream * static_cast<int64_t>(woken)));
  }
}

}  // namespace headcount
