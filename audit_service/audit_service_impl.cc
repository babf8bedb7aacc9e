#include "audit_service/audit_service_impl.h"

#include <vector>

#include "audit_service/watch_alerts_reactor.h"
#include "common/grpc_server.h"
#include "common/raw_request.h"
#include "common/status_util.h"
#include "common/term.h"
#include "common/validation.h"

namespace headcount::audit {
namespace {

const grpc::Status kNotReady(grpc::StatusCode::UNAVAILABLE,
                             "the audit store is not open (starting or "
                             "shutting down)");

template <typename T>
grpc::ServerUnaryReactor* Reply(grpc::CallbackServerContext* context,
                                const absl::StatusOr<T>& result,
                                grpc::ByteBuffer* response) {
  if (result.ok()) SerializeRawResponse(*result, *response);
  return FinishUnary(context, ToGrpcStatus(result.status()));
}

void CheckTerm(absl::string_view term, std::vector<FieldViolation>& violations,
               absl::string_view field = "term") {
  const size_t before = violations.size();
  CheckName(field, term, violations);
  if (violations.size() == before && !ParseTerm(term).ok()) {
    violations.push_back({std::string(field),
                          "must be YEAR-spring or YEAR-autumn, like 2015-autumn"});
  }
}

// Filters narrow left to right: each needs the one before it.
void CheckFilter(const v1::AlertFilter& filter, absl::string_view prefix,
                 std::vector<FieldViolation>& violations) {
  const std::string p(prefix);
  if (!filter.term().empty()) CheckTerm(filter.term(), violations, p + "term");
  if (!filter.county().empty()) {
    CheckName(p + "county", filter.county(), violations);
    if (filter.term().empty()) {
      violations.push_back({p + "county", "filtering by county needs a term"});
    }
  }
  if (!filter.district().empty()) {
    CheckName(p + "district", filter.district(), violations);
    if (filter.county().empty()) {
      violations.push_back(
          {p + "district", "filtering by district needs a county"});
    }
  }
  if (!v1::Level_IsValid(filter.level())) {
    violations.push_back({p + "level", "is not a known level"});
  }
}

}  // namespace

grpc::ServerUnaryReactor* AuditServiceImpl::ListCounties(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
    grpc::ByteBuffer* response) {
  auto store = store_.Borrow();
  if (!store) return FinishUnary(context, kNotReady);
  v1::ListCountiesRequest request;
  absl::Status parsed = ParseRawRequest(*raw_request, request);
  if (!parsed.ok()) return FinishUnary(context, ToGrpcStatus(parsed));
  std::vector<FieldViolation> violations;
  CheckTerm(request.term(), violations);
  if (!violations.empty()) {
    return FinishUnary(context, ToGrpcStatus(InvalidArgument(violations)));
  }
  return Reply(context, store->ListCounties(request.term()), response);
}

grpc::ServerUnaryReactor* AuditServiceImpl::GetCountyReport(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
    grpc::ByteBuffer* response) {
  auto store = store_.Borrow();
  if (!store) return FinishUnary(context, kNotReady);
  v1::GetCountyReportRequest parsed_request;
  absl::Status parsed = ParseRawRequest(*raw_request, parsed_request);
  if (!parsed.ok()) return FinishUnary(context, ToGrpcStatus(parsed));
  const v1::GetCountyReportRequest* request = &parsed_request;
  std::vector<FieldViolation> violations;
  CheckTerm(request->term(), violations);
  CheckName("county", request->county(), violations);
  if (!violations.empty()) {
    return FinishUnary(context, ToGrpcStatus(InvalidArgument(violations)));
  }
  return Reply(context, store->GetCountyReport(request->term(), request->county()),
               response);
}

grpc::ServerUnaryReactor* AuditServiceImpl::GetDistrictReport(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
    grpc::ByteBuffer* response) {
  auto store = store_.Borrow();
  if (!store) return FinishUnary(context, kNotReady);
  v1::GetDistrictReportRequest parsed_request;
  absl::Status parsed = ParseRawRequest(*raw_request, parsed_request);
  if (!parsed.ok()) return FinishUnary(context, ToGrpcStatus(parsed));
  const v1::GetDistrictReportRequest* request = &parsed_request;
  std::vector<FieldViolation> violations;
  CheckTerm(request->term(), violations);
  CheckName("county", request->county(), violations);
  CheckName("district", request->district(), violations);
  if (!violations.empty()) {
    return FinishUnary(context, ToGrpcStatus(InvalidArgument(violations)));
  }
  return Reply(context,
               store->GetDistrictReport(request->term(), request->county(),
                                        request->district()),
               response);
}

grpc::ServerUnaryReactor* AuditServiceImpl::ListGradeDiscrepancies(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
    grpc::ByteBuffer* response) {
  auto store = store_.Borrow();
  if (!store) return FinishUnary(context, kNotReady);
  v1::ListGradeDiscrepanciesRequest parsed_request;
  absl::Status parsed = ParseRawRequest(*raw_request, parsed_request);
  if (!parsed.ok()) return FinishUnary(context, ToGrpcStatus(parsed));
  const v1::ListGradeDiscrepanciesRequest* request = &parsed_request;
  std::vector<FieldViolation> violations;
  CheckTerm(request->term(), violations);
  CheckName("county", request->county(), violations);
  if (!request->district().empty()) {
    CheckName("district", request->district(), violations);
  }
  if (!violations.empty()) {
    return FinishUnary(context, ToGrpcStatus(InvalidArgument(violations)));
  }
  return Reply(context, store->ListGradeDiscrepancies(*request), response);
}

grpc::ServerUnaryReactor* AuditServiceImpl::ListAlerts(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
    grpc::ByteBuffer* response) {
  auto store = store_.Borrow();
  if (!store) return FinishUnary(context, kNotReady);
  v1::ListAlertsRequest parsed_request;
  absl::Status parsed = ParseRawRequest(*raw_request, parsed_request);
  if (!parsed.ok()) return FinishUnary(context, ToGrpcStatus(parsed));
  const v1::ListAlertsRequest* request = &parsed_request;
  std::vector<FieldViolation> violations;
  CheckFilter(request->filter(), "filter.", violations);
  if (!violations.empty()) {
    return FinishUnary(context, ToGrpcStatus(InvalidArgument(violations)));
  }
  return Reply(context, store->ListAlerts(request->filter()), response);
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* AuditServiceImpl::WatchAlerts(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request) {
  using AlertStream = grpc::ServerWriteReactor<grpc::ByteBuffer>;
  if (!store_.Borrow()) return RefuseStream<AlertStream>(kNotReady);
  v1::WatchAlertsRequest parsed_request;
  absl::Status parsed = ParseRawRequest(*raw_request, parsed_request);
  if (!parsed.ok()) return RefuseStream<AlertStream>(ToGrpcStatus(parsed));
  const v1::WatchAlertsRequest* request = &parsed_request;
  std::vector<FieldViolation> violations;
  if (request->after_alert_id() < 0) {
    violations.push_back({"after_alert_id", "must not be negative"});
  }
  CheckFilter(request->filter(), "filter.", violations);
  if (!violations.empty()) {
    return RefuseStream<AlertStream>(ToGrpcStatus(InvalidArgument(violations)));
  }
  return new WatchAlertsReactor(&store_, feed_, context, watch_stall_limit_,
                                *request);
}

}  // namespace headcount::audit
