// Locking helpers over absl::Mutex that ThreadSanitizer can follow.
//
// Debian's libabsl is not built with -fsanitize=thread, so TSan cannot see
// the happens-before edges an absl::Mutex creates and would report every
// access it guards as a race. In TSan builds these helpers announce the
// edges themselves (release before unlocking, acquire after locking); in
// other builds they are exactly absl::MutexLock and Mutex::Await.
#ifndef HEADCOUNT_COMMON_DOMAIN_MUTEX_H_
#define HEADCOUNT_COMMON_DOMAIN_MUTEX_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

#if defined(__SANITIZE_THREAD__)
#define HEADCOUNT_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define HEADCOUNT_TSAN 1
#endif
#endif

#ifdef HEADCOUNT_TSAN
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#endif

namespace headcount {

inline void TsanAcquire(absl::Mutex* mu) {
#ifdef HEADCOUNT_TSAN
  __tsan_acquire(mu);
#else
  (void)mu;
#endif
}

inline void TsanRelease(absl::Mutex* mu) {
#ifdef HEADCOUNT_TSAN
  __tsan_release(mu);
#else
  (void)mu;
#endif
}

// absl::MutexLock, visible to TSan.
class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(absl::Mutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu)
      : mu_(mu) {
    mu_->Lock();
    TsanAcquire(mu_);
  }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() {
    TsanRelease(mu_);
    mu_->Unlock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  absl::Mutex* const mu_;
};

// absl::ReaderMutexLock, visible to TSan. Several readers may release the
// same mutex; TSan merges their clocks, so a writer that locks afterwards
// is ordered after all of them.
class ABSL_SCOPED_LOCKABLE ReaderMutexLock {
 public:
  explicit ReaderMutexLock(absl::Mutex* mu) ABSL_SHARED_LOCK_FUNCTION(mu)
      : mu_(mu) {
    mu_->ReaderLock();
    TsanAcquire(mu_);
  }
  ~ReaderMutexLock() ABSL_UNLOCK_FUNCTION() {
    TsanRelease(mu_);
    mu_->ReaderUnlock();
  }
  ReaderMutexLock(const ReaderMutexLock&) = delete;
  ReaderMutexLock& operator=(const ReaderMutexLock&) = delete;

 private:
  absl::Mutex* const mu_;
};

// mu->Await(condition): the mutex is released while waiting.
inline void Await(absl::Mutex* mu, const absl::Condition& condition)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
  TsanRelease(mu);
  mu->Await(condition);
  TsanAcquire(mu);
}

// mu->AwaitWithTimeout(condition, timeout); true when the condition holds.
inline bool AwaitWithTimeout(absl::Mutex* mu, const absl::Condition& condition,
                             absl::Duration timeout)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
  TsanRelease(mu);
  const bool met = mu->AwaitWithTimeout(condition, timeout);
  TsanAcquire(mu);
  return met;
}

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_DOMAIN_MUTEX_H_
