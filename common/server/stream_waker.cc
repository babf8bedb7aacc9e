#include "common/server/stream_waker.h"

#include "common/domain/mutex.h"

namespace headcount {

StreamWaker::StreamWaker(absl::Duration tick) : tick_(tick) {
  thread_ = std::thread([this] { Run(); });
}

StreamWaker::~StreamWaker() {
  {
    MutexLock lock(&mu_);
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

void StreamWaker::Notify() {
  MutexLock lock(&mu_);
  notified_ = true;
}

void StreamWaker::CloseAll() {
  MutexLock lock(&mu_);
  closed_ = true;
  for (Subscriber* subscriber : subscribers_) subscriber->Close();
}

void StreamWaker::Run() {
  MutexLock lock(&mu_);
  while (!stopping_) {
    AwaitWithTimeout(
        &mu_,
        absl::Condition(
            +[](StreamWaker* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
              return self->notified_ || self->stopping_;
            },
            this),
        tick_);
    notified_ = false;
    if (closed_) continue;
    for (Subscriber* subscriber : subscribers_) subscriber->Wake();
  }
}

}  // namespace headcount
