// The audit trail of changes: one log line per mutating call (who, which
// method, how many rows, the revision, the outcome), accepted or refused.
#ifndef HEADCOUNT_COMMON_SERVER_MUTATION_LOG_H_
#define HEADCOUNT_COMMON_SERVER_MUTATION_LOG_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace headcount {

// Logs "METHOD principal=P rows=N revision=R outcome=O" where O is
// `detail` (e.g. "CREATED") when `status` is OK, else the status code and
// message; " dry_run" is appended for dry runs.
void LogMutation(absl::string_view method, absl::string_view principal,
                 int rows, int64_t revision, bool dry_run,
                 const absl::Status& status, absl::string_view detail);

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_SERVER_MUTATION_LOG_H_
