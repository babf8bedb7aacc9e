#include "common/domain/status_util.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/any.pb.h"
#include "google/rpc/error_details.pb.h"

namespace headcount {
namespace {

constexpr absl::string_view kTypeUrlPrefix = "type.googleapis.com/";

std::string TypeUrl(const google::protobuf::Message& message) {
  return absl::StrCat(kTypeUrlPrefix, message.GetDescriptor()->full_name());
}

}  // namespace

absl::Status InvalidArgument(const std::vector<FieldViolation>& violations) {
  google::rpc::BadRequest bad_request;
  for (const FieldViolation& v : violations) {
    auto* out = bad_request.add_field_violations();
    out->set_field(v.field);
    out->set_description(v.description);
  }
  std::string message = violations.empty()
                            ? "invalid argument"
                            : absl::StrCat(violations.front().field, ": ",
                                           violations.front().description);
  if (violations.size() > 1) {
    absl::StrAppend(&message, " (and ", violations.size() - 1,
                    " more violation", violations.size() > 2 ? "s" : "", ")");
  }
  absl::Status status = absl::InvalidArgumentError(message);
  AttachDetail(status, bad_request);
  return status;
}

void AttachDetail(absl::Status& status,
                  const google::protobuf::Message& detail) {
  status.SetPayload(TypeUrl(detail), absl::Cord(detail.SerializeAsString()));
}

bool GetDetail(const absl::Status& status, google::protobuf::Message& detail) {
  absl::optional<absl::Cord> payload = status.GetPayload(TypeUrl(detail));
  if (!payload.has_value()) return false;
  return detail.ParseFromString(std::string(*payload));
}

}  // namespace headcount
