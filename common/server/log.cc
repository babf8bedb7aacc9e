#include "common/server/log.h"

#include <errno.h>

#include <atomic>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace headcount {
namespace {

std::atomic<LogFormat> log_format{LogFormat::kText};

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kWarning:
      return "WARN";
    case LogLevel::kError:
      return "ERROR";
    case LogLevel::kInfo:
      break;
  }
  return "INFO";
}

// A JSON string literal of UTF-8 `text`.
std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", c);
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace

absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view text) {
  if (text == "text") return LogFormat::kText;
  if (text == "json") return LogFormat::kJson;
  return absl::InvalidArgumentError(absl::StrCat(
      "--log_format: must be text or json, got \"", text, "\""));
}

void SetLogFormat(LogFormat format) { log_format.store(format); }

void Log(LogLevel level, absl::string_view component,
         absl::string_view message, std::initializer_list<LogField> fields) {
  const std::string time =
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  std::string line;
  if (log_format.load() == LogFormat::kJson) {
    line = absl::StrCat("{\"time\":\"", time, "\",\"level\":\"",
                        LevelName(level), "\",\"program\":",
                        JsonString(program_invocation_short_name),
                        ",\"component\":", JsonString(component),
                        ",\"msg\":", JsonString(message));
    for (const LogField& field : fields) {
      absl::StrAppend(&line, ",", JsonString(field.key), ":",
                      JsonString(field.value));
    }
    line += "}\n";
  } else {
    line = absl::StrCat(time, " ", LevelName(level), " ",
                        program_invocation_short_name, " ", component, ": ",
                        message);
    for (const LogField& field : fields) {
      absl::StrAppend(&line, " ", field.key, "=", field.value);
    }
    line += "\n";
  }
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace headcount
