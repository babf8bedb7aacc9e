#include "common/server/stream_waker.h"

#include "absl/time/clock.h"
#include "common/domain/mutex.h"

namespace headcount {

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
    {
      MutexLock lock(&mu_);
      if (closed_) continue;
      for (Subscriber* subscriber : subscribers_) subscriber->Wake();
    }
    absl::SleepFor(min_pass_interval_);
  }
}

}  // namespace headcount
