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
#include "headcount/mirror/requests.pb.h"
#include "headcount/v1/audit.pb.h"
#include "headcount/v1/ingest.pb.h"

namespace headcount {

// The mirror of a request type; null for requests that hold no strings.
template <typename Request>
struct RequestMirror {
  static const google::protobuf::Message* prototype() { return nullptr; }
};
#define HEADCOUNT_REQUEST_MIRROR_(Name)                   \
  template <>                                             \
  struct RequestMirror<v1::Name> {                        \
    static const google::protobuf::Message* prototype() { \
      return &mirror::Name::default_instance();           \
    }                                                     \
  }
HEADCOUNT_REQUEST_MIRROR_(SubmitRequest);
HEADCOUNT_REQUEST_MIRROR_(GetSchoolRequest);
HEADCOUNT_REQUEST_MIRROR_(ListSchoolsRequest);
HEADCOUNT_REQUEST_MIRROR_(ListCountiesRequest);
HEADCOUNT_REQUEST_MIRROR_(GetCountyReportRequest);
HEADCOUNT_REQUEST_MIRROR_(GetDistrictReportRequest);
HEADCOUNT_REQUEST_MIRROR_(ListGradeDiscrepanciesRequest);
HEADCOUNT_REQUEST_MIRROR_(ListAlertsRequest);
HEADCOUNT_REQUEST_MIRROR_(WatchAlertsRequest);
#undef HEADCOUNT_REQUEST_MIRROR_

// Parses `buffer` into `request` (cleared first). `mirror` is the
// request's mirror prototype, or null. INVALID_ARGUMENT, with a
// google.rpc.BadRequest naming each string that is not UTF-8, or saying
// the bytes are not a well-formed message of that type.
absl::Status ParseRequest(const grpc::ByteBuffer& buffer,
                          const google::protobuf::Message* mirror,
                          google::protobuf::Message& request);

template <typename Request>
absl::Status ParseRequest(const grpc::ByteBuffer& buffer, Request& request) {
  return ParseRequest(buffer, RequestMirror<Request>::prototype(), request);
}

// `message` serialized into `buffer`, for a raw method's response.
void SerializeResponse(const google::protobuf::Message& message,
                       grpc::ByteBuffer& buffer);

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_SERVER_REQUEST_PARSER_H_
