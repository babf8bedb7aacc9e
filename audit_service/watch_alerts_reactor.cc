#include "audit_service/watch_alerts_reactor.h"

#include "absl/strings/str_cat.h"
#include "common/raw_request.h"
#include "common/status_util.h"

namespace headcount::audit {
namespace {
constexpr int kEventsPerRead = 128;
constexpr char kClosing[] =
    "the audit service is shutting down; resume after the last alert_id "
    "received";

FeedStreamLimits Limits(absl::Duration stall_limit) {
  return {kClosing, stall_limit,
          absl::StrCat("the client read nothing for ",
                       absl::FormatDuration(stall_limit),
                       " while alert events were due; watch again with "
                       "after_alert_id set to the last alert_id received")};
}
}  // namespace

WatchAlertsReactor::WatchAlertsReactor(
    const AttachedStore<AuditStore>* store, ChangeFeed* feed,
    grpc::CallbackServerContext* context, absl::Duration stall_limit,
    const v1::WatchAlertsRequest& request)
    : FeedStreamReactor(feed, context, Limits(stall_limit)),
      store_(store),
      filter_(request.filter()),
      cursor_(request.after_alert_id()) {
  Begin();
}

absl::StatusOr<bool> WatchAlertsReactor::Next(grpc::ByteBuffer& next) {
  auto store = store_->Borrow();
  if (!store) return absl::UnavailableError(kClosing);
  while (pending_.empty() && cursor_ < store->last_alert_id()) {
    ASSIGN_OR_RETURN(std::vector<v1::AlertEvent> events,
                     store->ReadAlerts(cursor_, kEventsPerRead));
    if (events.empty()) break;
    for (v1::AlertEvent& event : events) {
      cursor_ = event.alert_id();
      if (Matches(filter_, event)) pending_.push_back(std::move(event));
    }
  }
  if (pending_.empty()) return false;
  SerializeRawResponse(pending_.front(), next);
  pending_.pop_front();
  return true;
}

}  // namespace headcount::audit
