// A strict JSON reader (RFC 8259) for configuration files: every value
// remembers the line it starts on, so that a file's errors can say
// "file:line: what". Not for large documents or the request path.
#ifndef HEADCOUNT_COMMON_DOMAIN_JSON_READER_H_
#define HEADCOUNT_COMMON_DOMAIN_JSON_READER_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace headcount {

struct JsonValue {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

  Type type = Type::kNull;
  int line = 0;  // 1-based line of the value's first character
  bool boolean = false;
  double number = 0;
  std::string string;  // UTF-8, escapes resolved
  std::vector<JsonValue> array;
  // Members in file order; ParseJson refuses a key given twice.
  std::vector<std::pair<std::string, JsonValue>> object;

  // The member named `key` of an object; null when absent or not an object.
  const JsonValue* Find(absl::string_view key) const;
};

// "null", "a boolean", "a number", "a string", "an array", "an object".
absl::string_view JsonTypeName(JsonValue::Type type);

// Parses one JSON document (surrounding whitespace allowed). On malformed
// input INVALID_ARGUMENT "line N: what was expected". Text must be UTF-8;
// nesting deeper than 64 levels is refused.
absl::StatusOr<JsonValue> ParseJson(absl::string_view text);

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_DOMAIN_JSON_READER_H_
