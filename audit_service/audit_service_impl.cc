#include "audit_service/audit_service_impl.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
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

// `answer` with the freshness of its revision, when the feed is known.
template <typename Answer>
absl::StatusOr<Answer> WithFreshness(absl::StatusOr<Answer> answer,
                                     const FeedState* feed) {
  if (answer.ok() && feed != nullptr) {
    *answer->mutable_freshness() = feed->Freshness(answer->revision());
  }
  return answer;
}

}  // namespace

grpc::ServerUnaryReactor* AuditServiceImpl::ListCounties(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::ListCountiesRequest>(
      {context, request, response, Method::kListCounties}, *authorizer_, store_,
      kNotReady,
      ValidateListCountiesRequest,
      [](AuditReader& store, const v1::ListCountiesRequest& r,
         const Caller& caller) {
        absl::StatusOr<v1::ListCountiesResponse> answer =
            store.ListCounties(r.term());
        if (!answer.ok() || caller.unrestricted()) return answer;
        auto* counties = answer->mutable_counties();
        counties->erase(std::remove_if(counties->begin(), counties->end(),
                                       [&caller](const std::string& county) {
                                         return !caller.Touches(county);
                                       }),
                        counties->end());
        return answer;
      });
}

grpc::ServerUnaryReactor* AuditServiceImpl::GetCountyReport(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetCountyReportRequest>(
      {context, request, response, Method::kGetCountyReport}, *authorizer_, store_,
      kNotReady,
      ValidateGetCountyReportRequest,
      [this](AuditReader& store, const v1::GetCountyReportRequest& r,
             const Caller&) {
        return WithFreshness(store.GetCountyReport(r), feed_);
      });
}

grpc::ServerUnaryReactor* AuditServiceImpl::GetCoverageReport(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetCoverageReportRequest>(
      {context, request, response, Method::kGetCoverageReport}, *authorizer_,
      store_, kNotReady, ValidateGetCoverageReportRequest,
      [this](AuditReader& store, const v1::GetCoverageReportRequest& r,
             const Caller&) {
        return WithFreshness(store.GetCoverageReport(r.term(), r.county()),
                             feed_);
      });
}

grpc::ServerUnaryReactor* AuditServiceImpl::CompareTerms(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::CompareTermsRequest>(
      {context, request, response, Method::kCompareTerms}, *authorizer_,
      store_, kNotReady, ValidateCompareTermsRequest,
      [this](AuditReader& store, const v1::CompareTermsRequest& r,
             const Caller&) {
        return WithFreshness(store.CompareTerms(r), feed_);
      });
}

grpc::ServerUnaryReactor* AuditServiceImpl::GetRegionReport(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetRegionReportRequest>(
      {context, request, response, Method::kGetRegionReport}, *authorizer_,
      store_, kNotReady, ValidateGetRegionReportRequest,
      [this](AuditReader& store, const v1::GetRegionReportRequest& r,
             const Caller& caller) -> absl::StatusOr<v1::RegionReport> {
        absl::StatusOr<v1::RegionReport> report = store.GetRegionReport(r);
        // A sum over counties is the caller's only when each of them is.
        if (report.ok()) {
          for (const std::string& county : report->counties()) {
            if (!caller.Covers(county, "")) {
              return absl::PermissionDeniedError(absl::StrCat(
                  caller.Describe(), " may not read the report of ",
                  r.city().empty() ? r.province() : r.city(), ": ", county,
                  " is summed in it and outside its scope"));
            }
          }
        }
        return WithFreshness(std::move(report), feed_);
      });
}

grpc::ServerUnaryReactor* AuditServiceImpl::GetDistrictReport(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetDistrictReportRequest>(
      {context, request, response, Method::kGetDistrictReport}, *authorizer_, store_,
      kNotReady,
      ValidateGetDistrictReportRequest,
      [this](AuditReader& store, const v1::GetDistrictReportRequest& r,
             const Caller&) {
        return WithFreshness(store.GetDistrictReport(r), feed_);
      });
}

grpc::ServerUnaryReactor* AuditServiceImpl::CompareSources(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::CompareSourcesRequest>(
      {context, request, response, Method::kCompareSources}, *authorizer_,
      store_, kNotReady, ValidateCompareSourcesRequest,
      [this](AuditReader& store, const v1::CompareSourcesRequest& r,
             const Caller&) {
        return WithFreshness(store.CompareSources(r), feed_);
      });
}

grpc::ServerUnaryReactor* AuditServiceImpl::ListGradeDiscrepancies(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::ListGradeDiscrepanciesRequest>(
      {context, request, response, Method::kListGradeDiscrepancies}, *authorizer_, store_,
      kNotReady,
      ValidateListGradeDiscrepanciesRequest,
      [this](AuditReader& store, const v1::ListGradeDiscrepanciesRequest& r,
         const Caller&) {
        return WithFreshness(store.ListGradeDiscrepancies(r), feed_);
      });
}

grpc::ServerUnaryReactor* AuditServiceImpl::ListAlerts(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::ListAlertsRequest>(
      {context, request, response, Method::kListAlerts}, *authorizer_, store_,
      kNotReady,
      ValidateListAlertsRequest,
      [this](AuditReader& store, const v1::ListAlertsRequest& r,
             const Caller& caller) {
        absl::StatusOr<v1::ListAlertsResponse> answer =
            WithFreshness(store.ListAlerts(r.filter()), feed_);
        if (!answer.ok()) return answer;
        // The caller's places after the token's alert id, one page of them
        // (the store lists them oldest alert_id first).
        int64_t after = 0;
        if (!r.page_token().empty()) absl::SimpleAtoi(r.page_token(), &after);
        const int page_size =
            r.page_size() == 0 ? kDefaultListPageSize : r.page_size();
        auto* alerts = answer->mutable_alerts();
        alerts->erase(
            std::remove_if(alerts->begin(), alerts->end(),
                           [&](const v1::AlertEvent& alert) {
                             return alert.alert_id() <= after ||
                                    !caller.Covers(alert.county(),
                                                   alert.district());
                           }),
            alerts->end());
        if (alerts->size() > page_size) {
          alerts->DeleteSubrange(page_size, alerts->size() - page_size);
          answer->set_next_page_token(
              absl::StrCat(alerts->Get(page_size - 1).alert_id()));
        }
        return answer;
      });
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* AuditServiceImpl::WatchAlerts(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request) {
  using AlertStream = grpc::ServerWriteReactor<grpc::ByteBuffer>;
  absl::StatusOr<Caller> caller =
      authorizer_->Authorize(*context, Method::kWatchAlerts);
  if (!caller.ok()) {
    return RefuseStream<AlertStream>(ToGrpcStatus(caller.status()));
  }
  v1::WatchAlertsRequest request;
  absl::Status status = ParseValidRequest<v1::WatchAlertsRequest>(
      *raw_request, ValidateWatchAlertsRequest, request);
  if (status.ok()) status = AuthorizeScope(*caller, request);
  if (!status.ok()) return RefuseStream<AlertStream>(ToGrpcStatus(status));
  std::string epoch;
  {
    // Released before the reactor borrows the store for itself.
    auto store = store_.Borrow();
    if (!store) return RefuseStream<AlertStream>(kNotReady);
    epoch = store->epoch();
    const int64_t newest = store->last_alert_id();
    if (!request.epoch().empty() && request.epoch() != epoch) {
      return RefuseStream<AlertStream>(
          ToGrpcStatus(AlertEpochEnded(request.epoch(), epoch, newest)));
    }
    if (request.after_alert_id() > newest) {
      return RefuseStream<AlertStream>(grpc::Status(
          grpc::StatusCode::OUT_OF_RANGE,
          absl::StrCat("after_alert_id ", request.after_alert_id(),
                       " is beyond the newest alert id ", newest, " of epoch ",
                       epoch, "; watch after at most that id")));
    }
  }
  return new WatchAlertsReactor(&store_, waker_, context, watch_stall_limit_,
                                clock_, request, *std::move(caller),
                                std::move(epoch));
}

}  // namespace headcount::audit
