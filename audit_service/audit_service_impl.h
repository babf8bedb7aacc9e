// The AuditService RPC handlers (callback API) over an AuditStore.
#ifndef HEADCOUNT_AUDIT_SERVICE_AUDIT_SERVICE_IMPL_H_
#define HEADCOUNT_AUDIT_SERVICE_AUDIT_SERVICE_IMPL_H_

#include "audit_service/audit_store.h"
#include "common/attached_store.h"
#include "common/change_feed.h"
#include "headcount/v1/audit.grpc.pb.h"

namespace headcount::audit {

// Every method reads raw bytes (see common/raw_request.h): each request
// carries names that must be checked for UTF-8 by our validation.
using AuditServiceBase = v1::AuditService::WithRawCallbackMethod_ListCounties<
    v1::AuditService::WithRawCallbackMethod_GetCountyReport<
    v1::AuditService::WithRawCallbackMethod_GetDistrictReport<
        v1::AuditService::WithRawCallbackMethod_ListGradeDiscrepancies<
            v1::AuditService::WithRawCallbackMethod_ListAlerts<
                v1::AuditService::WithRawCallbackMethod_WatchAlerts<
                    v1::AuditService::Service>>>>>>;

class AuditServiceImpl final : public AuditServiceBase {
 public:
  // `feed` is not owned and outlives the service. Calls fail with
  // UNAVAILABLE until AttachStore.
  // A WatchAlerts client that stops reading for `watch_stall_limit` while
  // events are due is cancelled with RESOURCE_EXHAUSTED (zero: never).
  AuditServiceImpl(ChangeFeed* feed, absl::Duration watch_stall_limit)
      : feed_(feed), watch_stall_limit_(watch_stall_limit) {}
  // `store` is not owned; null detaches it, waiting for the calls using it.
  // Calls after a detach fail with UNAVAILABLE.
  void AttachStore(AuditStore* store) { store_.Attach(store); }

  // ListCountiesRequest -> ListCountiesResponse.
  grpc::ServerUnaryReactor* ListCounties(grpc::CallbackServerContext* context,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override;
  // GetCountyReportRequest -> CountyReport.
  grpc::ServerUnaryReactor* GetCountyReport(
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
  ChangeFeed* const feed_;
  const absl::Duration watch_stall_limit_;
  AttachedStore<AuditStore> store_;
};

}  // namespace headcount::audit

#endif  // HEADCOUNT_AUDIT_SERVICE_AUDIT_SERVICE_IMPL_H_
