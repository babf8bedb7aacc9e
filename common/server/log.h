// One line on stderr per event an operator should see, with an RFC 3339
// time, a level, the program and the component it concerns; as text for a
// terminal or journald, or as JSON (one object per line) for a log
// collector (--log_format).
#ifndef HEADCOUNT_COMMON_SERVER_LOG_H_
#define HEADCOUNT_COMMON_SERVER_LOG_H_

#include <initializer_list>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace headcount {

enum class LogLevel { kInfo, kWarning, kError };
enum class LogFormat { kText, kJson };

// "text" or "json"; INVALID_ARGUMENT naming --log_format otherwise.
absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view text);

// The format of every later line (text until set). Set once at start,
// before any thread logs.
void SetLogFormat(LogFormat format);

// A named value of a line: key=value in text, a member in JSON.
struct LogField {
  absl::string_view key;
  std::string value;
};

// Writes one line, whole, to stderr:
//   2026-11-29T13:31:53.123Z INFO headcount-ingest mutation: SubmitBatch
//   principal=lixin-office rows=109
// or {"time":"2026-11-29T13:31:53.123Z","level":"INFO","program":
// "headcount-ingest","component":"mutation","msg":"SubmitBatch",
// "principal":"lixin-office","rows":"109"}.
void Log(LogLevel level, absl::string_view component,
         absl::string_view message, std::initializer_list<LogField> fields = {});

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_SERVER_LOG_H_
