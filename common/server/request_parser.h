// Requests read as raw bytes and parsed by generated code. The protobuf
// runtime refuses a proto3 string field that is not UTF-8, and gRPC 1.51's
// callback API then fails the call with a bare UNIMPLEMENTED before any
// handler runs; the services therefore take raw bytes and parse here. When
// the real message does not parse, its mirror (proto/headcount/mirror:
// the same fields with `bytes` for `string`) tells whether the bytes were
// well-formed with a string that is not UTF-8 (INVALID_ARGUMENT naming each
// such field, like validation does) or not a message at all.
#ifndef HEADCOUNT_COMMON_SERVER_REQUEST_PARSER_H_
#define HEADCOUNT_COMMON_SERVER_REQUEST_PARSER_H_

#include "absl/status/status.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/byte_buffer.h"

namespace headcount {

// The mirror of `request`'s type: the message of the same name in
// proto/headcount/mirror/requests.proto; null for a request without one
// (it holds no strings).
const google::protobuf::Message* RequestMirror(
    const google::protobuf::Descriptor& request);

// Parses `buffer` into `request` (cleared first), with its place names
// (term, county, district, school, nested too) normalized to NFC.
// INVALID_ARGUMENT, with a
// google.rpc.BadRequest naming each string that is not UTF-8 (found
// through the request's mirror), or saying the bytes are not a well-formed
// message of that type.
absl::Status ParseRequest(const grpc::ByteBuffer& buffer,
                          google::protobuf::Message& request);

// `message` serialized into `buffer`, for a raw method's response.
void SerializeResponse(const google::protobuf::Message& message,
                       grpc::ByteBuffer& buffer);

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_SERVER_REQUEST_PARSER_H_
