// The place half of the authorization, in one place: for each request,
// whether the caller's scope covers the places it names. A request that
// names a place outside the scope is refused (PERMISSION_DENIED naming the
// caller, its scope and the place); a list request that leaves the county
// or district open is narrowed to the caller's own where its scope is one
// county or district. Streams and lists that span several places are
// filtered event by event with Caller::Covers. Callers without a policy
// (Caller::unrestricted) pass unchanged.
#ifndef HEADCOUNT_COMMON_AUTH_REQUEST_SCOPE_H_
#define HEADCOUNT_COMMON_AUTH_REQUEST_SCOPE_H_

#include "absl/status/status.h"
#include "common/auth/caller.h"
#include "headcount/v1/audit.pb.h"
#include "headcount/v1/ingest.pb.h"

namespace headcount {

// Each request is already valid (common/domain/validation.h).
absl::Status AuthorizeScope(const Caller& caller, v1::SubmitRequest& request);
absl::Status AuthorizeScope(const Caller& caller, v1::RetractRequest& request);
absl::Status AuthorizeScope(const Caller& caller,
                            v1::PutRosterRequest& request);
absl::Status AuthorizeScope(const Caller& caller,
                            v1::GetRosterRequest& request);
absl::Status AuthorizeScope(const Caller& caller, v1::GetSchoolRequest& request);
absl::Status AuthorizeScope(const Caller& caller,
                            v1::ListSchoolsRequest& request);
absl::Status AuthorizeScope(const Caller& caller, v1::WatchRequest& request);
absl::Status AuthorizeScope(const Caller& caller,
                            v1::PutRegionsRequest& request);
absl::Status AuthorizeScope(const Caller& caller,
                            v1::GetRegionsRequest& request);
absl::Status AuthorizeScope(const Caller& caller, v1::CompactRequest& request);
absl::Status AuthorizeScope(const Caller& caller, v1::BackupRequest& request);
absl::Status AuthorizeScope(const Caller& caller,
                            v1::ListCountiesRequest& request);
absl::Status AuthorizeScope(const Caller& caller,
                            v1::GetCountyReportRequest& request);
absl::Status AuthorizeScope(const Caller& caller,
                            v1::GetCoverageReportRequest& request);
absl::Status AuthorizeScope(const Caller& caller,
                            v1::CompareTermsRequest& request);
absl::Status AuthorizeScope(const Caller& caller,
                            v1::CompareSourcesRequest& request);
absl::Status AuthorizeScope(const Caller& caller,
                            v1::GetRegionReportRequest& request);
absl::Status AuthorizeScope(const Caller& caller,
                            v1::GetDistrictReportRequest& request);
absl::Status AuthorizeScope(const Caller& caller,
                            v1::ListGradeDiscrepanciesRequest& request);
absl::Status AuthorizeScope(const Caller& caller,
                            v1::ListAlertsRequest& request);
absl::Status AuthorizeScope(const Caller& caller,
                            v1::WatchAlertsRequest& request);

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_AUTH_REQUEST_SCOPE_H_
