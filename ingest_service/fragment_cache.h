// The Watch stream's messages, serialized once per revision and shared by
// every watcher: a revision's events are cut into fragments (at most
// kMaxEventsPerMessage events and about kFragmentBytes each), each kept as
// one reference-counted slice. A watcher sends a fragment by reference and
// adds only its own header_revision, so a thousand watchers of a revision
// cost one serialization, and a watcher that stops reading holds one
// fragment, not the revision.
#ifndef HEADCOUNT_INGEST_SERVICE_FRAGMENT_CACHE_H_
#define HEADCOUNT_INGEST_SERVICE_FRAGMENT_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "ingest_service/submission_store.h"

namespace headcount::ingest {

// Most events in one WatchResponse.
inline constexpr int kMaxEventsPerMessage = 256;
// A fragment ends at the first event that takes it past this many bytes
// (so a fragment is at most this plus one event).
inline constexpr size_t kFragmentBytes = 64 * 1024;
// The default of --watch_cache_mib.
inline constexpr size_t kDefaultFragmentCacheBytes = size_t{64} << 20;

// One revision's WatchResponse messages without header_revision, each
// serialized into one slice.
struct SerializedRevision {
  std::string history_id;
  int64_t revision = 0;
  std::vector<grpc::Slice> fragments;
  size_t bytes = 0;
  // The counties its events are of, sorted, each once (for Watch's county
  // filter).
  std::vector<std::string> counties;

  bool HasCounty(absl::string_view county) const;
};

// The county an event is of: its school's, roster entry's or region's.
const std::string& EventCounty(const v1::Event& event);

// Revision `revision` of `store`'s log cut into fragments and serialized,
// with events of `county` alone when it is not empty (a filtered stream's
// share of a revision with other counties' events too). OUT_OF_RANGE when
// it was compacted away, and the store's other errors.
absl::StatusOr<SerializedRevision> ReadSerializedRevision(
    SubmissionStore& store, int64_t revision, absl::string_view county = "");

// Thread-safe. Keeps the most recently used revisions up to a byte budget;
// a revision read again after eviction is serialized again.
class FragmentCache {
 public:
  explicit FragmentCache(size_t capacity_bytes = kDefaultFragmentCacheBytes)
      : capacity_bytes_(capacity_bytes) {}

  // The fragments of revision `revision` of `store`'s history (1 <= revision
  // <= store.revision()); OUT_OF_RANGE when it was compacted away, and the
  // store's other errors.
  absl::StatusOr<std::shared_ptr<const SerializedRevision>> Get(
      SubmissionStore& store, int64_t revision) ABSL_LOCKS_EXCLUDED(mu_);

  // The first revision in first..last (last <= store.revision()) with an
  // event of `county`, or last + 1 when none has one; reads and caches the
  // revisions it looks at, taking the lock once for up to 256 of them.
  // Errors as Get.
  absl::StatusOr<int64_t> FirstWithCounty(SubmissionStore& store,
                                          absl::string_view county,
                                          int64_t first, int64_t last)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Fragment `index` of `serialized` as a WatchResponse with
  // header_revision `header_revision`: the shared slice plus a few bytes.
  static grpc::ByteBuffer Message(const SerializedRevision& serialized,
                                  size_t index, int64_t header_revision);

  // Whole revisions (each of one fragment, oldest first) as one
  // WatchResponse: their slices one after the other, which protobuf reads
  // as one message with every event and the last revision, plus
  // header_revision.
  static grpc::ByteBuffer Combined(std::vector<grpc::Slice> revisions,
                                   int64_t header_revision);

  // Bytes of the revisions held now.
  size_t bytes() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  using Entry = std::shared_ptr<const SerializedRevision>;

  absl::StatusOr<Entry> GetLocked(SubmissionStore& store, int64_t revision)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t capacity_bytes_;
  mutable absl::Mutex mu_;
  // Most recently used first.
  std::list<Entry> recent_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<int64_t, std::list<Entry>::iterator> by_revision_
      ABSL_GUARDED_BY(mu_);
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace headcount::ingest

#endif  // HEADCOUNT_INGEST_SERVICE_FRAGMENT_CACHE_H_
