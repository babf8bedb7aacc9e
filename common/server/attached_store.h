// The store a service's RPC handlers read, attached by the server once the
// store is open and detached before the store is destroyed.
#ifndef HEADCOUNT_COMMON_SERVER_ATTACHED_STORE_H_
#define HEADCOUNT_COMMON_SERVER_ATTACHED_STORE_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/domain/mutex.h"

namespace headcount {

// Handlers and stream reactors Borrow() the store for each use instead of
// keeping a raw pointer; Attach(nullptr) waits until no borrow is left, so
// a store is never destroyed under a handler, even one that outlived the
// server's shutdown grace. The reader lock also shows ThreadSanitizer the
// order of handler reads and the store's destruction, which otherwise
// passes through gRPC's uninstrumented shutdown.
template <typename Store>
class AttachedStore {
 public:
  // A borrow: the store (or null while none is attached), valid until the
  // borrow is destroyed. Never borrow twice on one thread at once: a waiting
  // Attach would block the second borrow.
  class ABSL_SCOPED_LOCKABLE Borrowed {
   public:
    explicit Borrowed(const AttachedStore* owner)
        ABSL_SHARED_LOCK_FUNCTION(owner->mu_)
        : lock_(&owner->mu_), store_(owner->store_) {}
    ~Borrowed() ABSL_UNLOCK_FUNCTION() = default;
    Borrowed(const Borrowed&) = delete;
    Borrowed& operator=(const Borrowed&) = delete;

    Store* get() const { return store_; }
    Store* operator->() const { return store_; }
    explicit operator bool() const { return store_ != nullptr; }

   private:
    ReaderMutexLock lock_;
    Store* const store_;
  };

  Borrowed Borrow() const { return Borrowed(this); }

  // Makes `store` (not owned; null to detach) what later borrows see, once
  // every current borrow has ended.
  void Attach(Store* store) ABSL_LOCKS_EXCLUDED(mu_) {
    MutexLock lock(&mu_);
    store_ = store;
  }

 private:
  mutable absl::Mutex mu_;
  Store* store_ ABSL_GUARDED_BY(mu_) = nullptr;
};

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_SERVER_ATTACHED_STORE_H_
