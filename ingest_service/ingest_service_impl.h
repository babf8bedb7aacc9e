// The IngestService RPC handlers (callback API): each unary call through
// ServeUnary (parse, validate, store), the streams through their reactors;
// absl::Status becomes grpc::Status here.
#ifndef HEADCOUNT_INGEST_SERVICE_INGEST_SERVICE_IMPL_H_
#define HEADCOUNT_INGEST_SERVICE_INGEST_SERVICE_IMPL_H_

#include "absl/time/time.h"
#include "common/domain/clock.h"
#include <memory>
#include <utility>

#include "common/server/attached_store.h"
#include "common/server/authorizer.h"
#include "common/server/stream_waker.h"
#include "headcount/v1/ingest.grpc.pb.h"
#include "common/server/feed_stream_reactor.h"
#include "ingest_service/batch_budget.h"
#include "ingest_service/fragment_cache.h"
#include "ingest_service/submission_store.h"

namespace headcount::ingest {

// Every method reads raw bytes (common/server/request_parser.h); Watch also
// writes them, its messages serialized once for all watchers
// (ingest_service/fragment_cache.h).
using IngestServiceBase = v1::IngestService::WithRawCallbackMethod_Submit<
    v1::IngestService::WithRawCallbackMethod_SubmitBatch<
        v1::IngestService::WithRawCallbackMethod_Retract<
            v1::IngestService::WithRawCallbackMethod_PutRoster<
                v1::IngestService::WithRawCallbackMethod_GetRoster<
                    v1::IngestService::WithRawCallbackMethod_PutRegions<
                        v1::IngestService::WithRawCallbackMethod_GetRegions<
                            v1::IngestService::WithRawCallbackMethod_GetSchool<
                                v1::IngestService::WithRawCallbackMethod_ListSchools<
                                    v1::IngestService::WithRawCallbackMethod_Watch<
                                        v1::IngestService::WithRawCallbackMethod_Compact<
                                            v1::IngestService::
                                                WithRawCallbackMethod_Backup<
                                                    v1::IngestService::
                                                        Service>>>>>>>>>>>>;

class IngestServiceImpl final : public IngestServiceBase {
 public:
  // What the streams and batches may hold.
  struct Limits {
    // A Watch client that stops reading for this long while revisions are
    // due is cancelled with RESOURCE_EXHAUSTED (zero: never).
    absl::Duration watch_stall_limit = kDefaultStallLimit;
    // Serialized revisions kept for all Watch streams together.
    size_t watch_cache_bytes = kDefaultFragmentCacheBytes;
    // Rows and bytes per batch, memory of all batches in progress.
    BatchLimits batch;
  };

  // `waker` and `clock` are not owned and outlive the service. Until
  // AttachStore, every call fails with UNAVAILABLE (the store is still
  // recovering). `authorizer` decides who may call what
  // (common/server/authorizer.h).
  IngestServiceImpl(std::shared_ptr<const Authorizer> authorizer,
                    StreamWaker* waker, const Limits& limits,
                    const Clock* clock)
      : authorizer_(std::move(authorizer)),
        waker_(waker),
        limits_(limits),
        fragments_(limits.watch_cache_bytes),
        batch_budget_(limits.batch.memory_bytes),
        clock_(clock) {}

  // `store` is not owned; null detaches it, waiting for the calls using it.
  void AttachStore(SubmissionStore* store) { store_.Attach(store); }

  // SubmitRequest -> SubmitResponse.
  grpc::ServerUnaryReactor* Submit(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override;
  // stream SubmitRequest -> ImportSummary.
  grpc::ServerReadReactor<grpc::ByteBuffer>* SubmitBatch(
      grpc::CallbackServerContext* context, grpc::ByteBuffer* summary) override;
  // RetractRequest -> RetractResponse.
  grpc::ServerUnaryReactor* Retract(grpc::CallbackServerContext* context,
                                    const grpc::ByteBuffer* request,
                                    grpc::ByteBuffer* response) override;
  // PutRosterRequest -> PutRosterResponse.
  grpc::ServerUnaryReactor* PutRoster(grpc::CallbackServerContext* context,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override;
  // GetRosterRequest -> Roster.
  grpc::ServerUnaryReactor* GetRoster(grpc::CallbackServerContext* context,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override;
  // PutRegionsRequest -> PutRegionsResponse.
  grpc::ServerUnaryReactor* PutRegions(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override;
  // GetRegionsRequest -> Regions.
  grpc::ServerUnaryReactor* GetRegions(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override;
  // GetSchoolRequest -> SchoolRecord.
  grpc::ServerUnaryReactor* GetSchool(grpc::CallbackServerContext* context,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override;
  // ListSchoolsRequest -> ListSchoolsResponse.
  grpc::ServerUnaryReactor* ListSchools(grpc::CallbackServerContext* context,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;
  // WatchRequest -> stream WatchResponse.
  grpc::ServerWriteReactor<grpc::ByteBuffer>* Watch(
      grpc::CallbackServerContext* context,
      const grpc::ByteBuffer* request) override;
  // CompactRequest -> CompactResponse.
  grpc::ServerUnaryReactor* Compact(grpc::CallbackServerContext* context,
                                    const grpc::ByteBuffer* request,
                                    grpc::ByteBuffer* response) override;
  // BackupRequest -> BackupResponse.
  grpc::ServerUnaryReactor* Backup(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override;

 private:
  const std::shared_ptr<const Authorizer> authorizer_;
  StreamWaker* const waker_;
  const Limits limits_;
  FragmentCache fragments_;
  BatchBudget batch_budget_;
  const Clock* const clock_;
  AttachedStore<SubmissionStore> store_;
};

}  // namespace headcount::ingest

#endif  // HEADCOUNT_INGEST_SERVICE_INGEST_SERVICE_IMPL_H_
