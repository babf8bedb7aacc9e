#include "audit_service/watch_alerts_reactor.h"

#include "common/domain/alert_filter.h"
#include "common/domain/status_util.h"
#include "common/server/request_parser.h"

namespace headcount::audit {
namespace {
constexpr int kEventsPerRead = 128;
}  // namespace

WatchAlertsReactor::WatchAlertsReactor(const AttachedStore<AuditReader>* store,
                                       StreamWaker* waker,
                                       grpc::CallbackServerContext* context,
                                       absl::Duration stall_limit,
                                       const Clock* clock,
                                       const v1::WatchAlertsRequest& request,
                                       Caller caller)
    : FeedStreamReactor(
          waker, context,
          FeedStreamLimits::Resumable("audit", "alert events", "after_alert_id",
                                      "alert_id", stall_limit),
          clock),
      store_(store),
      filter_(request.filter()),
      caller_(std::move(caller)),
      cursor_(request.after_alert_id()) {
  Begin();
}

absl::StatusOr<bool> WatchAlertsReactor::Next(grpc::ByteBuffer& next) {
  auto store = store_->Borrow();
  if (!store) return absl::UnavailableError(limits().closing_message);
  while (pending_.empty() && cursor_ < store->last_alert_id()) {
    ASSIGN_OR_RETURN(std::vector<v1::AlertEvent> events,
                     store->ReadAlerts(cursor_, kEventsPerRead));
    if (events.empty()) break;
    for (v1::AlertEvent& event : events) {
      cursor_ = event.alert_id();
      if (Matches(filter_, event) &&
          caller_.Covers(event.county(), event.district())) {
        pending_.push_back(std::move(event));
      }
    }
  }
  if (pending_.empty()) return false;
  SerializeResponse(pending_.front(), next);
  pending_.pop_front();
  return true;
}

}  // namespace headcount::audit
