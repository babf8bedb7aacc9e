// Builders and clients for tests of the ingest service.
#ifndef HEADCOUNT_TESTS_INGEST_SERVICE_INGEST_TEST_UTIL_H_
#define HEADCOUNT_TESTS_INGEST_SERVICE_INGEST_TEST_UTIL_H_

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "headcount/v1/ingest.grpc.pb.h"
#include "ingest_service/ingest_server.h"
#include "ingest_service/submission_store.h"

namespace headcount::testing {

// A submission for `school` of district `district`, 利辛县, 2015-autumn, with
// grades 1..n given as (onsite, registry) pairs.
v1::SubmitRequest School(
    const std::string& district, const std::string& school,
    const std::vector<std::pair<int64_t, int64_t>>& grades,
    const std::string& submission_id = "");

// Options of an in-process ingest on a free loopback port with its data in
// `data_dir`, draining for at most 2 s.
inline ingest::IngestServer::Options LoopbackIngestOptions(const std::string& data_dir) {
  ingest::IngestServer::Options options;
  options.listen = "127.0.0.1:0";
  options.store.data_dir = data_dir;
  options.shutdown_grace = absl::Seconds(2);
  return options;
}

// Commits `rows` through `store` and waits for the outcome.
absl::StatusOr<ingest::CommitResult> CommitNow(ingest::SubmissionStore& store,
                                               std::vector<v1::SubmitRequest> rows,
                                               bool dry_run = false);
// The same with retractions among the rows.
absl::StatusOr<ingest::CommitResult> CommitNow(ingest::SubmissionStore& store,
                                               std::vector<storage::Change> rows,
                                               bool dry_run = false);

// Reads a Watch stream on its own thread and keeps every response.
class WatchCollector {
 public:
  WatchCollector(v1::IngestService::Stub& stub, const v1::WatchRequest& request);
  // Cancels the stream and joins.
  ~WatchCollector();

  std::vector<v1::WatchResponse> responses() const;
  // Revisions of the non-progress responses, fragments merged.
  std::vector<int64_t> revisions() const;
  // Schools of every event received, in order.
  std::vector<std::string> schools() const;
  // True once the stream has ended; status() is then its status.
  bool done() const;
  grpc::Status status() const;
  void Cancel() { context_.TryCancel(); }

 private:
  grpc::ClientContext context_;
  mutable absl::Mutex mu_;
  std::vector<v1::WatchResponse> responses_ ABSL_GUARDED_BY(mu_);
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status status_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace headcount::testing

#endif  // HEADCOUNT_TESTS_INGEST_SERVICE_INGEST_TEST_UTIL_H_
