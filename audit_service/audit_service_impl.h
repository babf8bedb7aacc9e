// The AuditService RPC handlers (callback API) over an AuditStore.
#ifndef HEADCOUNT_AUDIT_SERVICE_AUDIT_SERVICE_IMPL_H_
#define HEADCOUNT_AUDIT_SERVICE_AUDIT_SERVICE_IMPL_H_

#include <atomic>

#include "audit_service/audit_store.h"
#include "common/change_feed.h"
#include "headcount/v1/audit.grpc.pb.h"

namespace headcount::audit {

class AuditServiceImpl final : public v1::AuditService::CallbackService {
 public:
  // `feed` is not owned and outlives the service. Calls fail with
  // UNAVAILABLE until AttachStore.
  explicit AuditServiceImpl(ChangeFeed* feed) : feed_(feed) {}
  // `store` is not owned and outlives every call.
  void AttachStore(AuditStore* store) { store_.store(store); }

  grpc::ServerUnaryReactor* GetCountyReport(
      grpc::CallbackServerContext* context,
      const v1::GetCountyReportRequest* request,
      v1::CountyReport* response) override;
  grpc::ServerUnaryReactor* GetDistrictReport(
      grpc::CallbackServerContext* context,
      const v1::GetDistrictReportRequest* request,
      v1::DistrictReport* response) override;
  grpc::ServerUnaryReactor* ListGradeDiscrepancies(
      grpc::CallbackServerContext* context,
      const v1::ListGradeDiscrepanciesRequest* request,
      v1::ListGradeDiscrepanciesResponse* response) override;
  grpc::ServerUnaryReactor* ListAlerts(grpc::CallbackServerContext* context,
                                       const v1::ListAlertsRequest* request,
                                       v1::ListAlertsResponse* response) override;
  grpc::ServerWriteReactor<v1::AlertEvent>* WatchAlerts(
      grpc::CallbackServerContext* context,
      const v1::WatchAlertsRequest* request) override;

 private:
  ChangeFeed* const feed_;
  std::atomic<AuditStore*> store_{nullptr};
};

}  // namespace headcount::audit

#endif  // HEADCOUNT_AUDIT_SERVICE_AUDIT_SERVICE_IMPL_H_
