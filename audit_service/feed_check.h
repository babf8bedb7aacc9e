// What the audit accepts from the ingest's feed: the ingest's own rules for
// every record, and revisions without gaps within one history. A feed that
// breaks them (a faulty or hostile ingest, a proxy that lies) is refused
// whole rather than summed into the published tables.
#ifndef HEADCOUNT_AUDIT_SERVICE_FEED_CHECK_H_
#define HEADCOUNT_AUDIT_SERVICE_FEED_CHECK_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "headcount/v1/ingest.pb.h"

namespace headcount::audit {

// How a revision reached the audit.
enum class FeedSource {
  kWatch,  // the next revision of a Watch stream: must be applied + 1
  kList,   // a ListSchools snapshot at `revision`: not below applied
};

// OK when `events` may be applied as ingest revision `revision` on top of
// `applied`: the revision follows without a gap (kWatch) or is not behind
// (kList: PUT and ROSTER_PUT events only), and every event is a PUT whose
// record passes ValidateSchoolRecord, a DELETE whose school passes
// ValidateRemovedSchool, or a ROSTER_PUT / ROSTER_DELETE whose entry passes
// ValidateRosterEntry, or a REGION_PUT whose region passes ValidateRegion
// (also in a listing), with a mod_revision at or below `revision` (equal for
// kWatch). Else DATA_LOSS naming the revision, the school and the rule.
absl::Status CheckFeedRevision(FeedSource source, int64_t applied,
                               int64_t revision,
                               const std::vector<v1::Event>& events);

// One ingest revision and its events.
struct FeedRevision {
  int64_t revision = 0;
  std::vector<v1::Event> events;
};

// The events of one Watch message of `revision` split by the revision each
// names (its school's, roster entry's or region's mod_revision), ascending:
// several when the ingest combined revisions due together
// (WatchRequest.max_revisions_per_message). Events that do not split
// cleanly (revisions out of order, or the last one not `revision`) stay one
// revision, `revision`, for CheckFeedRevision to refuse.
std::vector<FeedRevision> SplitByRevision(int64_t revision,
                                          std::vector<v1::Event> events);

// `records`, `roster` and `regions` as the PUT, ROSTER_PUT and REGION_PUT
// events of a listing.
std::vector<v1::Event> PutEvents(std::vector<v1::SchoolRecord> records,
                                 std::vector<v1::RosterEntry> roster = {},
                                 std::vector<v1::Region> regions = {});

}  // namespace headcount::audit

#endif  // HEADCOUNT_AUDIT_SERVICE_FEED_CHECK_H_
