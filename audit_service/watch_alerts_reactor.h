// One WatchAlerts stream: the persisted alert events after the client's id
// that pass its filter and lie within the caller's scope, then live ones.
#ifndef HEADCOUNT_AUDIT_SERVICE_WATCH_ALERTS_REACTOR_H_
#define HEADCOUNT_AUDIT_SERVICE_WATCH_ALERTS_REACTOR_H_

#include <deque>

#include "audit_service/audit_reader.h"
#include "common/auth/caller.h"
#include "common/domain/clock.h"
#include "common/server/attached_store.h"
#include "common/server/feed_stream_reactor.h"
#include "headcount/v1/audit.pb.h"

namespace headcount::audit {

// FAILED_PRECONDITION for a consumer of alert epoch `ended`: the audit now
// serves `current` up to alert id `newest`; what to do about it.
absl::Status AlertEpochEnded(absl::string_view ended,
                             absl::string_view current, int64_t newest);

// Reads at most a page of events at a time from the store, so a slow client
// costs no growing buffer.
class WatchAlertsReactor final : public FeedStreamReactor<grpc::ByteBuffer> {
 public:
  // `store`, `waker` and `clock` are not owned and outlive every stream; a
  // detached store ends the stream with UNAVAILABLE. A client that stops
  // reading for `stall_limit` while events are due is cancelled with
  // RESOURCE_EXHAUSTED (zero: never). `request` has been validated and
  // authorized for `caller`; events outside the caller's scope
  // (Caller::Covers) are never sent. Each event carries `epoch`, the
  // store's epoch when the stream began; when the store starts a new one
  // the stream ends with FAILED_PRECONDITION.
  WatchAlertsReactor(const AttachedStore<AuditReader>* store,
                     StreamWaker* waker, grpc::CallbackServerContext* context,
                     absl::Duration stall_limit, const Clock* clock,
                     const v1::WatchAlertsRequest& request, Caller caller,
                     std::string epoch);

 private:
  // Fills `next` with a serialized v1::AlertEvent.
  absl::StatusOr<NextMessage> Next(grpc::ByteBuffer& next) override
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const AttachedStore<AuditReader>* const store_;
  const v1::AlertFilter filter_;
  const Caller caller_;
  const std::string epoch_;
  int64_t cursor_ ABSL_GUARDED_BY(mu_);  // newest alert_id read
  std::deque<v1::AlertEvent> pending_ ABSL_GUARDED_BY(mu_);
};

}  // namespace headcount::audit

#endif  // HEADCOUNT_AUDIT_SERVICE_WATCH_ALERTS_REACTOR_H_
