// The AuditService RPC handlers (callback API) over an AuditReader: each
// unary call through ServeUnary (parse, validate, read), WatchAlerts
// through its reactor.
#ifndef HEADCOUNT_AUDIT_SERVICE_AUDIT_SERVICE_IMPL_H_
#define HEADCOUNT_AUDIT_SERVICE_AUDIT_SERVICE_IMPL_H_

#include "absl/time/time.h"
#include "audit_service/audit_reader.h"
#include "audit_service/feed_state.h"
#include "common/domain/clock.h"
#include <memory>
#include <utility>

#include "common/server/attached_store.h"
#include "common/server/authorizer.h"
#include "common/server/stream_waker.h"
#include "headcount/v1/audit.grpc.pb.h"

namespace headcount::audit {

// Every method reads raw bytes (common/server/request_parser.h): each
// request carries names that validation must see even when not UTF-8.
using AuditServiceBase = v1::AuditService::WithRawCallbackMethod_ListCounties<
    v1::AuditService::WithRawCallbackMethod_GetCountyReport<
        v1::AuditService::WithRawCallbackMethod_GetDistrictReport<
            v1::AuditService::WithRawCallbackMethod_GetCoverageReport<
                v1::AuditService::WithRawCallbackMethod_CompareTerms<
                    v1::AuditService::WithRawCallbackMethod_GetRegionReport<
                        v1::AuditService::WithRawCallbackMethod_CompareSources<
                        v1::AuditService::WithRawCallbackMethod_ListGradeDiscrepancies<
                            v1::AuditService::WithRawCallbackMethod_ListAlerts<
                                v1::AuditService::WithRawCallbackMethod_WatchAlerts<
                                    v1::AuditService::Service>>>>>>>>>>;

class AuditServiceImpl final : public AuditServiceBase {
 public:
  // `waker` and `clock` are not owned and outlive the service. Calls fail
  // with UNAVAILABLE until AttachStore. A WatchAlerts client that stops
  // reading for `watch_stall_limit` while events are due is cancelled with
  // RESOURCE_EXHAUSTED (zero: never).
  // `authorizer` decides who may call what (common/server/authorizer.h).
  // `feed` (not owned, may be null) says how fresh the reports and alert
  // lists are (their `freshness`).
  AuditServiceImpl(std::shared_ptr<const Authorizer> authorizer,
                   StreamWaker* waker, absl::Duration watch_stall_limit,
                   const Clock* clock, const FeedState* feed = nullptr)
      : authorizer_(std::move(authorizer)),
        waker_(waker),
        watch_stall_limit_(watch_stall_limit),
        clock_(clock),
        feed_(feed) {}
  // `store` is not owned; null detaches it, waiting for the calls using it.
  void AttachStore(AuditReader* store) { store_.Attach(store); }

  // ListCountiesRequest -> ListCountiesResponse.
  grpc::ServerUnaryReactor* ListCounties(grpc::CallbackServerContext* context,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override;
  // GetCountyReportRequest -> CountyReport.
  grpc::ServerUnaryReactor* GetCountyReport(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;
  // GetCoverageReportRequest -> CoverageReport.
  grpc::ServerUnaryReactor* GetCoverageReport(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;
  // CompareTermsRequest -> TermComparison.
  grpc::ServerUnaryReactor* CompareTerms(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;
  // GetRegionReportRequest -> RegionReport.
  grpc::ServerUnaryReactor* GetRegionReport(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;
  // CompareSourcesRequest -> SourceComparison.
  grpc::ServerUnaryReactor* CompareSources(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;
  // GetDistrictReportRequest -> DistrictReport.
  grpc::ServerUnaryReactor* GetDistrictReport(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;
  // ListGradeDiscrepanciesRequest -> ListGradeDiscrepanciesResponse.
  grpc::ServerUnaryReactor* ListGradeDiscrepancies(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
      grpc::ByteBuffer* response) override;
  // ListAlertsRequest -> ListAlertsResponse.
  grpc::ServerUnaryReactor* ListAlerts(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override;
  // WatchAlertsRequest -> stream AlertEvent.
  grpc::ServerWriteReactor<grpc::ByteBuffer>* WatchAlerts(
      grpc::CallbackServerContext* context,
      const grpc::ByteBuffer* request) override;

 private:
  const std::shared_ptr<const Authorizer> authorizer_;
  StreamWaker* const waker_;
  const absl::Duration watch_stall_limit_;
  const Clock* const clock_;
  const FeedState* const feed_;
  AttachedStore<AuditReader> store_;
};

}  // namespace headcount::audit

#endif  // HEADCOUNT_AUDIT_SERVICE_AUDIT_SERVICE_IMPL_H_
