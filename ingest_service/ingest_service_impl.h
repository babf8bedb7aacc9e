// The IngestService RPC handlers (callback API): validation at the edge,
// then the SubmissionStore; absl::Status becomes grpc::Status here.
#ifndef HEADCOUNT_INGEST_SERVICE_INGEST_SERVICE_IMPL_H_
#define HEADCOUNT_INGEST_SERVICE_INGEST_SERVICE_IMPL_H_

#include "headcount/v1/ingest.grpc.pb.h"
#include "common/attached_store.h"
#include "common/change_feed.h"
#include "ingest_service/submission_store.h"

namespace headcount::ingest {

// Most rows one SubmitBatch may carry (a province's schools fit many times).
inline constexpr int kMaxBatchRows = 100'000;

// The methods whose requests carry strings read raw bytes (see
// common/raw_request.h); Watch and Compact are typed.
using IngestServiceBase = v1::IngestService::WithRawCallbackMethod_Submit<
    v1::IngestService::WithRawCallbackMethod_SubmitBatch<
        v1::IngestService::WithRawCallbackMethod_GetSchool<
            v1::IngestService::WithRawCallbackMethod_ListSchools<
                v1::IngestService::WithCallbackMethod_Watch<
                    v1::IngestService::WithCallbackMethod_Compact<
                        v1::IngestService::Service>>>>>>;

class IngestServiceImpl final : public IngestServiceBase {
 public:
  // `feed` is not owned and outlives the service. Until AttachStore, every
  // call fails with UNAVAILABLE (the store is still recovering).
  // A Watch client that stops reading for `watch_stall_limit` while
  // revisions are due is cancelled with RESOURCE_EXHAUSTED (zero: never).
  IngestServiceImpl(ChangeFeed* feed, absl::Duration watch_stall_limit)
      : feed_(feed), watch_stall_limit_(watch_stall_limit) {}

  // `store` is not owned; null detaches it, waiting for the calls using it.
  // Calls after a detach fail with UNAVAILABLE.
  void AttachStore(SubmissionStore* store) { store_.Attach(store); }

  // SubmitRequest -> SubmitResponse.
  grpc::ServerUnaryReactor* Submit(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override;
  // stream SubmitRequest -> ImportSummary.
  grpc::ServerReadReactor<grpc::ByteBuffer>* SubmitBatch(
      grpc::CallbackServerContext* context, grpc::ByteBuffer* summary) override;
  // GetSchoolRequest -> SchoolRecord.
  grpc::ServerUnaryReactor* GetSchool(grpc::CallbackServerContext* context,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override;
  // ListSchoolsRequest -> ListSchoolsResponse.
  grpc::ServerUnaryReactor* ListSchools(grpc::CallbackServerContext* context,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;
  grpc::ServerWriteReactor<v1::WatchResponse>* Watch(
      grpc::CallbackServerContext* context,
      const v1::WatchRequest* request) override;
  grpc::ServerUnaryReactor* Compact(grpc::CallbackServerContext* context,
                                    const v1::CompactRequest* request,
                                    v1::CompactResponse* response) override;

 private:
  ChangeFeed* const feed_;
  const absl::Duration watch_stall_limit_;
  AttachedStore<SubmissionStore> store_;
};

}  // namespace headcount::ingest

#endif  // HEADCOUNT_INGEST_SERVICE_INGEST_SERVICE_IMPL_H_
