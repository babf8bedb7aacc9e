// Status helpers for every library: the RETURN_IF_ERROR / ASSIGN_OR_RETURN
// macros our Abseil lacks, field violations, and details carried as
// payloads. The two conversion edges live with what they convert:
// FromRocksDb in common/storage/rocksdb_reader.h, ToGrpcStatus and
// FromGrpcStatus in common/rpc/grpc_status.h.
#ifndef HEADCOUNT_COMMON_DOMAIN_STATUS_UTIL_H_
#define HEADCOUNT_COMMON_DOMAIN_STATUS_UTIL_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace headcount {

#define HEADCOUNT_CONCAT_INNER_(a, b) a##b
#define HEADCOUNT_CONCAT_(a, b) HEADCOUNT_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` yields a non-OK absl::Status.
#define RETURN_IF_ERROR(expr)                              \
  do {                                                     \
    ::absl::Status _headcount_status = (expr);             \
    if (!_headcount_status.ok()) return _headcount_status; \
  } while (0)

// `lhs = value of expr`, or returns its error status.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(HEADCOUNT_CONCAT_(_headcount_or_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                           \
  if (!statusor.ok()) return statusor.status();     \
  lhs = std::move(statusor).value()

// One broken input rule: the field's path and the rule in words.
struct FieldViolation {
  std::string field;
  std::string description;
};

// INVALID_ARGUMENT whose message names the first violation and whose
// payload is a google.rpc.BadRequest listing all of them. `violations` must
// not be empty.
absl::Status InvalidArgument(const std::vector<FieldViolation>& violations);

// Attaches `detail` to `status` as a payload keyed by its type URL, so that
// ToGrpcStatus forwards it as a google.protobuf.Any in the status details.
void AttachDetail(absl::Status& status,
                  const google::protobuf::Message& detail);

// Reads back a detail attached by AttachDetail; false when absent.
bool GetDetail(const absl::Status& status, google::protobuf::Message& detail);

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_DOMAIN_STATUS_UTIL_H_
