// Wakes open server streams (ingest Watch, audit WatchAlerts): at once when
// something commits, and on a steady tick so that idle streams can send
// progress messages or notice a stalled client. Not the change feed itself:
// each stream reads its own position from its store when woken.
#ifndef HEADCOUNT_COMMON_SERVER_STREAM_WAKER_H_
#define HEADCOUNT_COMMON_SERVER_STREAM_WAKER_H_

#include <functional>
#include <set>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace headcount {

class StreamWaker {
 public:
  // A server stream. Called on the waker's thread with the waker's lock held:
  // must not block and must not call back into the waker.
  class Subscriber {
   public:
    virtual ~Subscriber() = default;
    // Something may be new: a revision, or time for a progress message.
    virtual void Wake() = 0;
    // The server is stopping: end the stream with UNAVAILABLE.
    virtual void Close() = 0;
  };

  // Passes over the subscribers come at least every `tick` and at most
  // every `min_pass_interval`: commits in between are woken for together,
  // so that a busy feed costs one message per stream per pass rather than
  // one per commit (streams that are writing go on by themselves).
  explicit StreamWaker(absl::Duration tick = absl::Milliseconds(50),
                       absl::Duration min_pass_interval = absl::Milliseconds(2));
  // Stops the thread. Subscribers must have been removed.
  ~StreamWaker();

  // Registers `subscriber` (not owned) until Remove. After CloseAll, a new
  // subscriber is closed at once.
  void Add(Subscriber* subscriber);
  // After Remove returns, the waker never touches `subscriber` again.
  void Remove(Subscriber* subscriber);
  // Wakes every subscriber soon, on the waker's thread.
  void Notify();
  // Streams registered now (for the metrics).
  size_t subscribers() const;
  // Closes every subscriber, now and later.
  void CloseAll();

 private:
  void Run();

  const absl::Duration tick_;
  const absl::Duration min_pass_interval_;
  // Held for a whole pass over the subscribers (so that Remove waits for
  // it).
  mutable absl::Mutex mu_;
  std::set<Subscriber*> subscribers_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  // Held only to signal: Notify never waits behind a pass.
  absl::Mutex signal_mu_;
  bool notified_ ABSL_GUARDED_BY(signal_mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(signal_mu_) = false;
  std::thread thread_;
};

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_SERVER_STREAM_WAKER_H_
