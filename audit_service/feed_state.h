// What the audit knows of its ingest feed as it answers: connected or
// since when not, and the newest ingest revision heard of. The follower
// writes it; handlers read it to say how fresh an answer is. Each loss of
// the feed and each return is logged once.
#ifndef HEADCOUNT_AUDIT_SERVICE_FEED_STATE_H_
#define HEADCOUNT_AUDIT_SERVICE_FEED_STATE_H_

#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/domain/clock.h"
#include "headcount/v1/audit.pb.h"

namespace headcount::audit {

// Thread-safe.
class FeedState {
 public:
  // `clock` is not owned and outlives the state. Unreachable from
  // construction until the first Heard.
  FeedState(std::string ingest_address, const Clock* clock);

  // The feed answered, telling of `ingest_revision` (the message's
  // header revision): connected; logs the return after a loss.
  void Heard(int64_t ingest_revision);
  // The feed ended or could not be reached, for `why`: unreachable from
  // now if it was connected; logged once per loss (and once for the first
  // failure to reach it).
  void Lost(const absl::Status& why);
  // The sink has applied `revision`.
  void Applied(int64_t revision);

  // The freshness of an answer that reflects `applied_revision`.
  v1::Freshness Freshness(int64_t applied_revision) const;
  bool connected() const;
  // 0 while connected and caught up with the newest revision heard of;
  // otherwise how long since it last was.
  absl::Duration lag() const;

 private:
  const std::string ingest_address_;
  const Clock* const clock_;
  mutable absl::Mutex mu_;
  bool connected_ ABSL_GUARDED_BY(mu_) = false;
  bool ever_connected_ ABSL_GUARDED_BY(mu_) = false;
  bool loss_logged_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time unreachable_since_ ABSL_GUARDED_BY(mu_);
  int64_t ingest_revision_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t applied_revision_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time caught_up_at_ ABSL_GUARDED_BY(mu_);
};

}  // namespace headcount::audit

#endif  // HEADCOUNT_AUDIT_SERVICE_FEED_STATE_H_
