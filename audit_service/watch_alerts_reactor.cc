#include "audit_service/watch_alerts_reactor.h"

#include "absl/strings/str_cat.h"
#include "common/domain/alert_filter.h"
#include "common/domain/status_util.h"
#include "common/server/request_parser.h"

namespace headcount::audit {
namespace {
constexpr int kEventsPerRead = 128;
}  // namespace

absl::Status AlertEpochEnded(absl::string_view ended,
                             absl::string_view current, int64_t newest) {
  return absl::FailedPreconditionError(absl::StrCat(
      "alert epoch ", ended,
      " ended: the audit started over on another ingest history (epoch ",
      current, ", newest alert id ", newest,
      "); list the open alerts again and watch after that list's "
      "last_alert_id"));
}

WatchAlertsReactor::WatchAlertsReactor(const AttachedStore<AuditReader>* store,
                                       StreamWaker* waker,
                                       grpc::CallbackServerContext* context,
                                       absl::Duration stall_limit,
                                       const Clock* clock,
                                       const v1::WatchAlertsRequest& request,
                                       Caller caller, std::string epoch)
    : FeedStreamReactor(
          waker, context,
          FeedStreamLimits::Resumable("audit", "alert events", "after_alert_id",
                                      "alert_id", stall_limit),
          clock),
      store_(store),
      filter_(request.filter()),
      caller_(std::move(caller)),
      epoch_(std::move(epoch)),
      cursor_(request.after_alert_id()) {
  Begin();
}

absl::StatusOr<NextMessage> WatchAlertsReactor::Next(grpc::ByteBuffer& next) {
  auto store = store_->Borrow();
  if (!store) return absl::UnavailableError(limits().closing_message);
  auto epoch_ended = [&] {
    return AlertEpochEnded(epoch_, store->epoch(), store->last_alert_id());
  };
  if (store->epoch() != epoch_) return epoch_ended();
  while (pending_.empty() && cursor_ < store->last_alert_id()) {
    ASSIGN_OR_RETURN(std::vector<v1::AlertEvent> events,
                     store->ReadAlerts(cursor_, kEventsPerRead));
    // Read between two equal readings of the epoch: of this epoch.
    if (store->epoch() != epoch_) return epoch_ended();
    if (events.empty()) break;
    for (v1::AlertEvent& event : events) {
      cursor_ = event.alert_id();
      if (Matches(filter_, event) &&
          caller_.Covers(event.county(), event.district())) {
        pending_.push_back(std::move(event));
      }
    }
  }
  if (pending_.empty()) return NextMessage::kNone;
  pending_.front().set_epoch(epoch_);
  SerializeResponse(pending_.front(), next);
  pending_.pop_front();
  // One event a message: the next one, read or not, follows at once.
  return pending_.empty() && cursor_ >= store->last_alert_id()
             ? NextMessage::kCaughtUp
             : NextMessage::kMoreDue;
}

}  // namespace headcount::audit
