#include "audit_service/audit_service_impl.h"

#include <vector>

#include "audit_service/watch_alerts_reactor.h"
#include "common/domain/status_util.h"
#include "common/domain/validation.h"
#include "common/rpc/grpc_status.h"
#include "common/server/unary_handler.h"

namespace headcount::audit {
namespace {

const grpc::Status kNotReady(grpc::StatusCode::UNAVAILABLE,
                             "the audit store is not open (starting or "
                             "shutting down)");

}  // namespace

grpc::ServerUnaryReactor* AuditServiceImpl::ListCounties(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::ListCountiesRequest>(
      {context, request, response}, store_, kNotReady,
      ValidateListCountiesRequest,
      [](AuditReader& store, const v1::ListCountiesRequest& r) {
        return store.ListCounties(r.term());
      });
}

grpc::ServerUnaryReactor* AuditServiceImpl::GetCountyReport(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetCountyReportRequest>(
      {context, request, response}, store_, kNotReady,
      ValidateGetCountyReportRequest,
      [](AuditReader& store, const v1::GetCountyReportRequest& r) {
        return store.GetCountyReport(r.term(), r.county());
      });
}

grpc::ServerUnaryReactor* AuditServiceImpl::GetDistrictReport(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetDistrictReportRequest>(
      {context, request, response}, store_, kNotReady,
      ValidateGetDistrictReportRequest,
      [](AuditReader& store, const v1::GetDistrictReportRequest& r) {
        return store.GetDistrictReport(r.term(), r.county(), r.district());
      });
}

grpc::ServerUnaryReactor* AuditServiceImpl::ListGradeDiscrepancies(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::ListGradeDiscrepanciesRequest>(
      {context, request, response}, store_, kNotReady,
      ValidateListGradeDiscrepanciesRequest,
      [](AuditReader& store, const v1::ListGradeDiscrepanciesRequest& r) {
        return store.ListGradeDiscrepancies(r);
      });
}

grpc::ServerUnaryReactor* AuditServiceImpl::ListAlerts(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::ListAlertsRequest>(
      {context, request, response}, store_, kNotReady,
      ValidateListAlertsRequest,
      [](AuditReader& store, const v1::ListAlertsRequest& r) {
        return store.ListAlerts(r.filter());
      });
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* AuditServiceImpl::WatchAlerts(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request) {
  using AlertStream = grpc::ServerWriteReactor<grpc::ByteBuffer>;
  if (!store_.Borrow()) return RefuseStream<AlertStream>(kNotReady);
  v1::WatchAlertsRequest request;
  const absl::Status status = ParseValidRequest<v1::WatchAlertsRequest>(
      *raw_request, ValidateWatchAlertsRequest, request);
  if (!status.ok()) return RefuseStream<AlertStream>(ToGrpcStatus(status));
  return new WatchAlertsReactor(&store_, waker_, context, watch_stall_limit_,
                                clock_, request);
}

}  // namespace headcount::audit
