// The gRPC edge of absl::Status, for servers and clients alike: codes are
// equal by number, and payloads attached with AttachDetail travel as
// google.rpc.Status details (the grpc-status-details-bin trailer).
#ifndef HEADCOUNT_COMMON_RPC_GRPC_STATUS_H_
#define HEADCOUNT_COMMON_RPC_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "common/domain/status_util.h"
#include "grpcpp/support/status.h"

namespace headcount {

// The server edge: absl::Status -> grpc::Status, payloads as details.
grpc::Status ToGrpcStatus(const absl::Status& status);

// The client edge: grpc::Status -> absl::Status, details kept as payloads.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_RPC_GRPC_STATUS_H_
