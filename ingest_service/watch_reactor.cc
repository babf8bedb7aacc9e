#include "ingest_service/watch_reactor.h"

#include <utility>

#include "common/status_util.h"

namespace headcount::ingest {

WatchReactor::WatchReactor(SubmissionStore* store, ChangeFeed* feed,
                           const v1::WatchRequest& request)
    : store_(store),
      feed_(feed),
      progress_interval_(absl::Milliseconds(request.progress_interval_ms())),
      cursor_(request.after_revision()),
      last_sent_(absl::Now()) {
  std::vector<FieldViolation> violations;
  if (request.after_revision() < 0) {
    violations.push_back({"after_revision", "must not be negative"});
  }
  if (request.progress_interval_ms() < 0 ||
      request.progress_interval_ms() > 3'600'000) {
    violations.push_back(
        {"progress_interval_ms", "must be in 0..3600000 (0: no progress)"});
  }
  feed_->Add(this);
  if (!violations.empty()) {
    absl::MutexLock lock(&mu_);
    FinishLocked(ToGrpcStatus(InvalidArgument(violations)));
    return;
  }
  Pump();
}

void WatchReactor::Pump() {
  absl::MutexLock lock(&mu_);
  if (finished_ || writing_) return;
  if (pending_.empty() && cursor_ < store_->revision()) {
    absl::StatusOr<std::vector<storage::RevisionEntry>> entries =
        store_->ReadLog(cursor_, 1);
    if (!entries.ok()) return FinishLocked(ToGrpcStatus(entries.status()));
    for (storage::RevisionEntry& entry : *entries) {
      const int events = entry.events_size();
      for (int begin = 0; begin < events; begin += kMaxEventsPerMessage) {
        v1::WatchResponse& message = pending_.emplace_back();
        message.set_revision(entry.revision());
        const int end = std::min(events, begin + kMaxEventsPerMessage);
        for (int i = begin; i < end; ++i) {
          *message.add_events() = std::move(*entry.mutable_events(i));
        }
        message.set_fragment(end < events);
      }
      cursor_ = entry.revision();
    }
  }
  const absl::Time now = absl::Now();
  if (!pending_.empty()) {
    in_flight_ = std::move(pending_.front());
    pending_.pop_front();
    in_flight_.set_header_revision(store_->revision());
  } else if (progress_interval_ > absl::ZeroDuration() &&
             now - last_sent_ >= progress_interval_ &&
             cursor_ >= store_->revision()) {
    // Everything up to cursor_ has been handed to the stream.
    in_flight_.Clear();
    in_flight_.set_progress(true);
    in_flight_.set_header_revision(cursor_);
  } else {
    return;
  }
  writing_ = true;
  last_sent_ = now;
  StartWrite(&in_flight_);
}

void WatchReactor::OnWriteDone(bool ok) {
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (finish_after_write_.has_value()) {
      Finish(*std::move(finish_after_write_));
      finish_after_write_.reset();
      return;
    }
    if (!ok) {
      // The client is gone; OnCancel follows.
      return FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED,
                                       "watch stream write failed"));
    }
  }
  Pump();
}

void WatchReactor::OnCancel() {
  absl::MutexLock lock(&mu_);
  FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "watch cancelled"));
}

void WatchReactor::Close() {
  absl::MutexLock lock(&mu_);
  FinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                            "the ingest service is shutting down; resume "
                            "from the last revision received"));
}

void WatchReactor::FinishLocked(grpc::Status status) {
  if (finished_) return;
  finished_ = true;
  if (writing_) {
    finish_after_write_ = std::move(status);
    return;
  }
  Finish(std::move(status));
}

void WatchReactor::OnDone() {
  feed_->Remove(this);
  delete this;
}

}  // namespace headcount::ingest
