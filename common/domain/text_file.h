// Reading a whole (small) file: a policy, a PEM certificate.
#ifndef HEADCOUNT_COMMON_DOMAIN_TEXT_FILE_H_
#define HEADCOUNT_COMMON_DOMAIN_TEXT_FILE_H_

#include <string>

#include "absl/status/statusor.h"

namespace headcount {

// The bytes of the file at `path`. NOT_FOUND or PERMISSION_DENIED, naming
// the path and the system's reason, when it cannot be read.
absl::StatusOr<std::string> ReadTextFile(const std::string& path);

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_DOMAIN_TEXT_FILE_H_
