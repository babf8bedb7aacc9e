#include "common/change_feed.h"
#include "common/mutex.h"

namespace headcount {

ChangeFeed::ChangeFeed(absl::Duration tick) : tick_(tick) {
  thread_ = std::thread([this] { Run(); });
}

ChangeFeed::~ChangeFeed() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void ChangeFeed::Add(Subscriber* subscriber) {
  MutexLock lock(&mu_);
  subscribers_.insert(subscriber);
  if (closed_) subscriber->Close();
}

void ChangeFeed::Remove(Subscriber* subscriber) {
  MutexLock lock(&mu_);
  subscribers_.erase(subscriber);
}

void ChangeFeed::Notify() {
  MutexLock lock(&mu_);
  notified_ = true;
}

void ChangeFeed::CloseAll() {
  MutexLock lock(&mu_);
  closed_ = true;
  for (Subscriber* subscriber : subscribers_) subscriber->Close();
}

void ChangeFeed::Run() {
  MutexLock lock(&mu_);
  while (!stopping_) {
    AwaitWithTimeout(&mu_,
        absl::Condition(
            +[](ChangeFeed* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
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
