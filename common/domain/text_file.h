// Reading a whole (small) file: a policy, a PEM certificate, a
// spreadsheet; replacing one whole: a report.
#ifndef HEADCOUNT_COMMON_DOMAIN_TEXT_FILE_H_
#define HEADCOUNT_COMMON_DOMAIN_TEXT_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace headcount {

// The bytes of the file at `path`. NOT_FOUND or PERMISSION_DENIED, naming
// the path and the system's reason, when it cannot be read.
absl::StatusOr<std::string> ReadTextFile(const std::string& path);

// Makes the file at `path` hold exactly `bytes`: written to a file beside
// it, synced, then renamed over it, so that a reader never sees half a
// file and a failure leaves the old one. PERMISSION_DENIED naming the path,
// the step and the system's reason otherwise.
absl::Status ReplaceFile(const std::string& path, absl::string_view bytes);

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_DOMAIN_TEXT_FILE_H_
