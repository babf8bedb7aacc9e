// One WatchAlerts stream: the persisted alert events after the client's id
// that pass its filter, then live ones, one write in flight.
#ifndef HEADCOUNT_AUDIT_SERVICE_WATCH_ALERTS_REACTOR_H_
#define HEADCOUNT_AUDIT_SERVICE_WATCH_ALERTS_REACTOR_H_

#include <deque>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "audit_service/audit_store.h"
#include "common/change_feed.h"
#include "grpcpp/grpcpp.h"
#include "headcount/v1/audit.pb.h"

namespace headcount::audit {

// Deletes itself when the stream is done. Reads at most a page of events at
// a time from the store, so a slow client costs no growing buffer.
class WatchAlertsReactor final
    : public grpc::ServerWriteReactor<v1::AlertEvent>,
      public ChangeFeed::Subscriber {
 public:
  // `store` and `feed` are not owned and outlive every stream. `request`
  // has been validated.
  WatchAlertsReactor(AuditStore* store, ChangeFeed* feed,
                     const v1::WatchAlertsRequest& request);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;
  void Wake() override { Pump(); }
  void Close() override;

 private:
  void Pump();
  void FinishLocked(grpc::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  AuditStore* const store_;
  ChangeFeed* const feed_;
  const v1::AlertFilter filter_;

  absl::Mutex mu_;
  int64_t cursor_ ABSL_GUARDED_BY(mu_);  // newest alert_id read
  std::deque<v1::AlertEvent> pending_ ABSL_GUARDED_BY(mu_);
  v1::AlertEvent in_flight_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<grpc::Status> finish_after_write_ ABSL_GUARDED_BY(mu_);
};

}  // namespace headcount::audit

#endif  // HEADCOUNT_AUDIT_SERVICE_WATCH_ALERTS_REACTOR_H_
