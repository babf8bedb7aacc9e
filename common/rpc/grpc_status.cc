#include "common/rpc/grpc_status.h"

#include "absl/strings/cord.h"
#include "google/protobuf/any.pb.h"
#include "google/rpc/status.pb.h"

namespace headcount {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  google::rpc::Status rpc_status;
  rpc_status.set_code(static_cast<int>(status.code()));
  rpc_status.set_message(std::string(status.message()));
  status.ForEachPayload(
      [&rpc_status](absl::string_view type_url, const absl::Cord& payload) {
        google::protobuf::Any* any = rpc_status.add_details();
        any->set_type_url(std::string(type_url));
        any->set_value(std::string(payload));
      });
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()),
                      rpc_status.details_size() > 0
                          ? rpc_status.SerializeAsString()
                          : std::string());
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status result(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
  google::rpc::Status rpc_status;
  if (!status.error_details().empty() &&
      rpc_status.ParseFromString(status.error_details())) {
    for (const google::protobuf::Any& any : rpc_status.details()) {
      result.SetPayload(any.type_url(), absl::Cord(any.value()));
    }
  }
  return result;
}

}  // namespace headcount
