#include "audit_service/feed_state.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/domain/mutex.h"
#include "common/server/log.h"

namespace headcount::audit {

FeedState::FeedState(std::string ingest_address, const Clock* clock)
    : ingest_address_(std::move(ingest_address)),
      clock_(clock),
      unreachable_since_(clock->Now()),
      caught_up_at_(clock->Now()) {}

void FeedState::Applied(int64_t revision) {
  MutexLock lock(&mu_);
  applied_revision_ = std::max(applied_revision_, revision);
  if (applied_revision_ >= ingest_revision_) caught_up_at_ = clock_->Now();
}

absl::Duration FeedState::lag() const {
  MutexLock lock(&mu_);
  if (connected_ && applied_revision_ >= ingest_revision_) {
    return absl::ZeroDuration();
  }
  return clock_->Now() - caught_up_at_;
}

void FeedState::Heard(int64_t ingest_revision) {
  MutexLock lock(&mu_);
  if (applied_revision_ >= ingest_revision_) caught_up_at_ = clock_->Now();
  ingest_revision_ = std::max(ingest_revision_, ingest_revision);
  if (connected_) return;
  connected_ = true;
  if (loss_logged_) {
    Log(LogLevel::kInfo, "feed",
        absl::StrCat("the ingest feed at ", ingest_address_, " is back after ",
                     absl::FormatDuration(absl::Trunc(
                         clock_->Now() - unreachable_since_,
                         absl::Milliseconds(100)))),
        {{"ingest_revision", absl::StrCat(ingest_revision_)}});
  } else if (!ever_connected_) {
    Log(LogLevel::kInfo, "feed",
        absl::StrCat("following the ingest feed at ", ingest_address_),
        {{"ingest_revision", absl::StrCat(ingest_revision_)}});
  }
  ever_connected_ = true;
  loss_logged_ = false;
}

void FeedState::Lost(const absl::Status& why) {
  MutexLock lock(&mu_);
  if (connected_) {
    connected_ = false;
    unreachable_since_ = clock_->Now();
  }
  if (loss_logged_) return;
  loss_logged_ = true;
  Log(LogLevel::kWarning, "feed",
      absl::StrCat(ever_connected_ ? "lost the ingest feed at "
                                   : "cannot reach the ingest feed at ",
                   ingest_address_, ": ", why.ToString(),
                   "; retrying, answers may be stale until it is back"));
}

v1::Freshness FeedState::Freshness(int64_t applied_revision) const {
  v1::Freshness freshness;
  freshness.set_applied_revision(applied_revision);
  MutexLock lock(&mu_);
  freshness.set_ingest_revision(std::max(ingest_revision_, applied_revision));
  if (!connected_) {
    const int64_t nanos = absl::ToUnixNanos(unreachable_since_);
    freshness.mutable_feed_unreachable_since()->set_seconds(nanos / 1000000000);
    freshness.mutable_feed_unreachable_since()->set_nanos(
        static_cast<int32_t>(nanos % 1000000000));
  }
  return freshness;
}

bool FeedState::connected() const {
  MutexLock lock(&mu_);
  return connected_;
}

}  // namespace headcount::audit
