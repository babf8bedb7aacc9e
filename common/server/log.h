// One line on stderr per event an operator should see: the time, the
// program and the text. (Structured logs are the operations issue's.)
#ifndef HEADCOUNT_COMMON_SERVER_LOG_H_
#define HEADCOUNT_COMMON_SERVER_LOG_H_

#include "absl/strings/string_view.h"

namespace headcount {

// "2026-11-29T13:31:53.123Z headcount-ingest: TEXT\n", written whole.
void Log(absl::string_view text);

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_SERVER_LOG_H_
