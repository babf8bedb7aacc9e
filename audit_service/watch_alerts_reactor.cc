#include "audit_service/watch_alerts_reactor.h"

#include "common/status_util.h"

namespace headcount::audit {
namespace {
constexpr int kEventsPerRead = 128;
}  // namespace

WatchAlertsReactor::WatchAlertsReactor(AuditStore* store, ChangeFeed* feed,
                                       const v1::WatchAlertsRequest& request)
    : store_(store),
      feed_(feed),
      filter_(request.filter()),
      cursor_(request.after_alert_id()) {
  feed_->Add(this);
  Pump();
}

void WatchAlertsReactor::Pump() {
  absl::MutexLock lock(&mu_);
  if (finished_ || writing_) return;
  while (pending_.empty() && cursor_ < store_->last_alert_id()) {
    absl::StatusOr<std::vector<v1::AlertEvent>> events =
        store_->ReadAlerts(cursor_, kEventsPerRead);
    if (!events.ok()) return FinishLocked(ToGrpcStatus(events.status()));
    if (events->empty()) break;
    for (v1::AlertEvent& event : *events) {
      cursor_ = event.alert_id();
      if (Matches(filter_, event)) pending_.push_back(std::move(event));
    }
  }
  if (pending_.empty()) return;
  in_flight_ = std::move(pending_.front());
  pending_.pop_front();
  writing_ = true;
  StartWrite(&in_flight_);
}

void WatchAlertsReactor::OnWriteDone(bool ok) {
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (finish_after_write_.has_value()) {
      Finish(*std::move(finish_after_write_));
      finish_after_write_.reset();
      return;
    }
    if (!ok) {
      return FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED,
                                       "alert stream write failed"));
    }
  }
  Pump();
}

void WatchAlertsReactor::OnCancel() {
  absl::MutexLock lock(&mu_);
  FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
}

void WatchAlertsReactor::Close() {
  absl::MutexLock lock(&mu_);
  FinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                            "the audit service is shutting down; resume "
                            "after the last alert_id received"));
}

void WatchAlertsReactor::FinishLocked(grpc::Status status) {
  if (finished_) return;
  finished_ = true;
  if (writing_) {
    finish_after_write_ = std::move(status);
    return;
  }
  Finish(std::move(status));
}

void WatchAlertsReactor::OnDone() {
  feed_->Remove(this);
  delete this;
}

}  // namespace headcount::audit
