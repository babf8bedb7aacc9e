// Requests read as raw bytes, for the methods whose messages hold strings.
// The protobuf runtime refuses a proto3 string field that is not UTF-8, and
// gRPC 1.51's callback API then fails the call with a bare UNIMPLEMENTED
// before any handler runs. Parsing here keeps such bytes, so validation can
// answer INVALID_ARGUMENT naming the field, as for every other bad input.
#ifndef HEADCOUNT_COMMON_RAW_REQUEST_H_
#define HEADCOUNT_COMMON_RAW_REQUEST_H_

#include "absl/status/status.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/byte_buffer.h"

namespace headcount {

// Parses `buffer` into `message`; a string field may come out as invalid
// UTF-8 (callers validate). INVALID_ARGUMENT when the bytes are not a
// well-formed message of that type.
absl::Status ParseRawRequest(const grpc::ByteBuffer& buffer,
                             google::protobuf::Message& message);

// `message` serialized into `buffer`, for a raw method's response.
void SerializeRawResponse(const google::protobuf::Message& message,
                          grpc::ByteBuffer& buffer);

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_RAW_REQUEST_H_
