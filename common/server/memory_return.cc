#include "common/server/memory_return.h"

#include <malloc.h>

#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/domain/mutex.h"

namespace headcount {
namespace {

class MemoryReturner {
 public:
  MemoryReturner() : thread_([this] { Run(); }) { thread_.detach(); }

  void Request() {
    MutexLock lock(&mu_);
    requested_ = true;
  }

 private:
  void Run() {
    for (;;) {
      {
        MutexLock lock(&mu_);
        Await(&mu_, absl::Condition(&requested_));
        requested_ = false;
      }
      // Let the burst finish freeing first; later requests wait for the
      // next round.
      absl::SleepFor(absl::Seconds(1));
      malloc_trim(0);
    }
  }

  absl::Mutex mu_;
  bool requested_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace

void ReturnFreedMemorySoon() {
  // Never destroyed: the thread runs for the life of the process.
  static MemoryReturner* returner = new MemoryReturner();
  returner->Request();
}

}  // namespace headcount
