#include "tests/ingest_service/ingest_test_util.h"

#include "absl/strings/str_cat.h"
#include "common/domain/mutex.h"
#include "tests/test_util.h"

namespace headcount::testing {

v1::SubmitRequest School(const std::string& district, const std::string& school,
                         const std::vector<std::pair<int64_t, int64_t>>& grades,
                         const std::string& submission_id) {
  v1::SubmitRequest request;
  request.set_term("2015-autumn");
  request.set_county("利辛县");
  request.set_district(district);
  request.set_school(school);
  int grade = 1;
  std::string id = absl::StrCat(district, "/", school);
  for (const auto& [onsite, registry] : grades) {
    v1::GradeCount* count = request.add_grades();
    count->set_grade(grade++);
    count->set_onsite_count(onsite);
    count->set_registry_count(registry);
    absl::StrAppend(&id, "/", onsite, ":", registry);
  }
  request.set_submission_id(submission_id.empty() ? id : submission_id);
  return request;
}

absl::StatusOr<ingest::CommitResult> CommitNow(
    ingest::SubmissionStore& store, std::vector<v1::SubmitRequest> rows,
    bool dry_run) {
  return CommitNow(store, ingest::Puts(std::move(rows)), dry_run);
}

absl::StatusOr<ingest::CommitResult> CommitNow(
    ingest::SubmissionStore& store, std::vector<storage::Change> rows,
    bool dry_run) {
  absl::StatusOr<ingest::CommitResult> outcome;
  Latch done;
  store.Commit(std::move(rows), {dry_run, ""},
               [&](absl::StatusOr<ingest::CommitResult> result) {
                 outcome = std::move(result);
                 done.Notify();
               });
  done.Wait();
  return outcome;
}

WatchCollector::WatchCollector(v1::IngestService::Stub& stub,
                               const v1::WatchRequest& request) {
  thread_ = std::thread([this, &stub, request] {
    std::unique_ptr<grpc::ClientReader<v1::WatchResponse>> reader =
        stub.Watch(&context_, request);
    v1::WatchResponse response;
    while (reader->Read(&response)) {
      MutexLock lock(&mu_);
      responses_.push_back(response);
    }
    grpc::Status status = reader->Finish();
    MutexLock lock(&mu_);
    status_ = status;
    done_ = true;
  });
}

WatchCollector::~WatchCollector() {
  context_.TryCancel();
  thread_.join();
}

std::vector<v1::WatchResponse> WatchCollector::responses() const {
  MutexLock lock(&mu_);
  return responses_;
}

std::vector<int64_t> WatchCollector::revisions() const {
  MutexLock lock(&mu_);
  std::vector<int64_t> revisions;
  for (const v1::WatchResponse& r : responses_) {
    if (r.progress()) continue;
    if (!revisions.empty() && revisions.back() == r.revision()) continue;
    revisions.push_back(r.revision());
  }
  return revisions;
}

std::vector<std::string> WatchCollector::schools() const {
  MutexLock lock(&mu_);
  std::vector<std::string> schools;
  for (const v1::WatchResponse& r : responses_) {
    for (const v1::Event& e : r.events())
      schools.push_back(e.school().school());
  }
  return schools;
}

bool WatchCollector::done() const {
  MutexLock lock(&mu_);
  return done_;
}

grpc::Status WatchCollector::status() const {
  MutexLock lock(&mu_);
  return status_;
}

}  // namespace headcount::testing
