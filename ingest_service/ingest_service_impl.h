// The IngestService RPC handlers (callback API): validation at the edge,
// then the SubmissionStore; absl::Status becomes grpc::Status here.
#ifndef HEADCOUNT_INGEST_SERVICE_INGEST_SERVICE_IMPL_H_
#define HEADCOUNT_INGEST_SERVICE_INGEST_SERVICE_IMPL_H_

#include <atomic>

#include "headcount/v1/ingest.grpc.pb.h"
#include "common/change_feed.h"
#include "ingest_service/submission_store.h"

namespace headcount::ingest {

// Most rows one SubmitBatch may carry (a province's schools fit many times).
inline constexpr int kMaxBatchRows = 100'000;

class IngestServiceImpl final : public v1::IngestService::CallbackService {
 public:
  // `feed` is not owned and outlives the service. Until AttachStore, every
  // call fails with UNAVAILABLE (the store is still recovering).
  explicit IngestServiceImpl(ChangeFeed* feed) : feed_(feed) {}

  // `store` is not owned and outlives every call.
  void AttachStore(SubmissionStore* store) { store_.store(store); }

  grpc::ServerUnaryReactor* Submit(grpc::CallbackServerContext* context,
                                   const v1::SubmitRequest* request,
                                   v1::SubmitResponse* response) override;
  grpc::ServerReadReactor<v1::SubmitRequest>* SubmitBatch(
      grpc::CallbackServerContext* context,
      v1::ImportSummary* summary) override;
  grpc::ServerUnaryReactor* GetSchool(grpc::CallbackServerContext* context,
                                      const v1::GetSchoolRequest* request,
                                      v1::SchoolRecord* response) override;
  grpc::ServerUnaryReactor* ListSchools(
      grpc::CallbackServerContext* context,
      const v1::ListSchoolsRequest* request,
      v1::ListSchoolsResponse* response) override;
  grpc::ServerWriteReactor<v1::WatchResponse>* Watch(
      grpc::CallbackServerContext* context,
      const v1::WatchRequest* request) override;
  grpc::ServerUnaryReactor* Compact(grpc::CallbackServerContext* context,
                                    const v1::CompactRequest* request,
                                    v1::CompactResponse* response) override;

 private:
  ChangeFeed* const feed_;
  std::atomic<SubmissionStore*> store_{nullptr};
};

}  // namespace headcount::ingest

#endif  // HEADCOUNT_INGEST_SERVICE_INGEST_SERVICE_IMPL_H_
