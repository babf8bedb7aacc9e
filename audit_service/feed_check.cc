#include "audit_service/feed_check.h"

#include "absl/strings/str_cat.h"
#include "common/domain/validation.h"

namespace headcount::audit {

absl::Status CheckFeedRevision(FeedSource source, int64_t applied,
                               int64_t revision,
                               const std::vector<v1::SchoolRecord>& schools) {
  if (source == FeedSource::kWatch && revision != applied + 1) {
    return absl::DataLossError(absl::StrCat(
        "the feed jumped from revision ", applied, " to ", revision,
        ": revisions ", applied + 1, "..", revision - 1, " are missing"));
  }
  if (source == FeedSource::kList && revision < applied) {
    return absl::DataLossError(absl::StrCat("a listing at revision ", revision,
                                            " is behind the applied ",
                                            applied));
  }
  for (const v1::SchoolRecord& record : schools) {
    std::vector<FieldViolation> violations = ValidateSchoolRecord(record);
    const bool stamped_right = source == FeedSource::kWatch
                                   ? record.mod_revision() == revision
                                   : record.mod_revision() <= revision;
    if (violations.empty() && !stamped_right) {
      violations.push_back(
          {"mod_revision",
           absl::StrCat("is ", record.mod_revision(), " in revision ",
                        revision)});
    }
    if (!violations.empty()) {
      return absl::DataLossError(absl::StrCat(
          "revision ", revision, ", school ", record.county(), "/",
          record.district(), "/", record.school(), ": ",
          violations.front().field, ": ", violations.front().description));
    }
  }
  return absl::OkStatus();
}

}  // namespace headcount::audit
