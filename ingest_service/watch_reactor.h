// One Watch stream: replays the change log above the client's revision, then
// follows new revisions live, with progress messages when idle.
#ifndef HEADCOUNT_INGEST_SERVICE_WATCH_REACTOR_H_
#define HEADCOUNT_INGEST_SERVICE_WATCH_REACTOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "common/domain/clock.h"
#include "common/server/attached_store.h"
#include "common/server/feed_stream_reactor.h"
#include "headcount/v1/ingest.pb.h"
#include "ingest_service/fragment_cache.h"
#include "ingest_service/submission_store.h"

namespace headcount::ingest {

// Sends serialized WatchResponse messages (the method is raw): a revision's
// fragments come from the shared FragmentCache, one write in flight, so a
// client that stops reading holds one fragment of the server's memory and
// never makes the server buffer more. With a county filter, revisions
// without the county's events are passed over (found through the cache),
// and a revision with other counties' too is re-serialized with the
// county's alone, held by the stream while it goes out.
class WatchReactor final : public FeedStreamReactor<grpc::ByteBuffer> {
 public:
  // `store`, `fragments`, `waker` and `clock` are not owned and outlive
  // every stream; a detached store ends the stream with UNAVAILABLE. A
  // stream whose client stops reading for `stall_limit` while revisions are
  // due is cancelled with RESOURCE_EXHAUSTED (zero: never). `request` has
  // been validated.
  WatchReactor(const AttachedStore<SubmissionStore>* store,
               FragmentCache* fragments, StreamWaker* waker,
               grpc::CallbackServerContext* context, absl::Duration stall_limit,
               const Clock* clock, const v1::WatchRequest& request);

 private:
  absl::StatusOr<NextMessage> Next(grpc::ByteBuffer& next) override
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Revision `revision` as this stream sends it: the shared one, or, for a
  // county filter and a revision with other counties' events too, this
  // stream's own share (kept in own_ until its last fragment is sent).
  absl::StatusOr<std::shared_ptr<const SerializedRevision>> Share(
      SubmissionStore& store, int64_t revision)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const AttachedStore<SubmissionStore>* const store_;
  FragmentCache* const fragments_;
  const absl::Duration progress_interval_;
  const int max_revisions_per_message_;
  // The request's county filter (empty: every county).
  const std::string county_;
  // Every revision up to cursor_ has been handed to the stream whole.
  int64_t cursor_ ABSL_GUARDED_BY(mu_);
  // The next fragment of revision cursor_ + 1 to send (0: none sent yet).
  size_t next_fragment_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time last_sent_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<const SerializedRevision> own_ ABSL_GUARDED_BY(mu_);
};

}  // namespace headcount::ingest

#endif  // HEADCOUNT_INGEST_SERVICE_WATCH_REACTOR_H_
