#include "common/server/mutation_log.h"

#include "absl/strings/str_cat.h"
#include "common/server/log.h"

namespace headcount {

void LogMutation(absl::string_view method, absl::string_view principal,
                 int rows, int64_t revision, bool dry_run,
                 const absl::Status& status, absl::string_view detail) {
  std::string outcome =
      status.ok() ? std::string(detail.empty() ? "OK" : detail)
                  : absl::StrCat(absl::StatusCodeToString(status.code()), " \"",
                                 status.message(), "\"");
  Log(status.ok() ? LogLevel::kInfo : LogLevel::kWarning, "mutation", method,
      {{"principal", std::string(principal.empty() ? "-" : principal)},
       {"rows", absl::StrCat(rows)},
       {"revision", absl::StrCat(revision)},
       {"outcome", outcome},
       {"dry_run", dry_run ? "true" : "false"}});
}

}  // namespace headcount
