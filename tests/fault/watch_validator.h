// Follows an ingest service's Watch feed across disconnects and restarts,
// resuming after the last whole revision received, and checks etcd's six
// watch guarantees on every response: ordered, unique, reliable (no gap),
// atomic (a revision's fragments together), resumable (a resumed stream
// starts right after the last revision), bookmarkable (after a progress
// message at revision N, no event at or below N arrives).
#ifndef HEADCOUNT_TESTS_FAULT_WATCH_VALIDATOR_H_
#define HEADCOUNT_TESTS_FAULT_WATCH_VALIDATOR_H_

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "headcount/v1/ingest.grpc.pb.h"

namespace headcount::testing {

class WatchValidator {
 public:
  // Starts following `address` at once.
  explicit WatchValidator(std::string address);
  // Stops and joins.
  ~WatchValidator();

  // True once every revision up to `revision` has been received.
  bool WaitFor(int64_t revision, absl::Duration timeout);
  std::vector<std::string> violations() const;
  // Every revision received whole, with its new records.
  std::map<int64_t, std::vector<v1::SchoolRecord>> revisions() const;
  int64_t responses_checked() const;
  int connections() const;

 private:
  void Run();
  void Violation(std::string what) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string address_;
  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* active_ ABSL_GUARDED_BY(mu_) = nullptr;
  int64_t last_ ABSL_GUARDED_BY(mu_) = 0;  // last whole revision
  int64_t bookmark_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<int64_t, std::vector<v1::SchoolRecord>> revisions_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> violations_ ABSL_GUARDED_BY(mu_);
  int64_t responses_ ABSL_GUARDED_BY(mu_) = 0;
  int connections_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace headcount::testing

#endif  // HEADCOUNT_TESTS_FAULT_WATCH_VALIDATOR_H_
