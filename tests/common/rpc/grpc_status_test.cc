#include "common/rpc/grpc_status.h"

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "headcount/v1/ingest.pb.h"

namespace headcount {
namespace {

TEST(GrpcStatusTest, InvalidArgumentCarriesBadRequestToGrpc) {
  absl::Status status = InvalidArgument(
      {{"grades[0].grade", "must be in 1..12"}, {"term", "must not be empty"}});
  EXPECT_EQ(status.message(),
            "grades[0].grade: must be in 1..12 (and 1 more violation)");
  grpc::Status grpc_status = ToGrpcStatus(status);
  EXPECT_EQ(grpc_status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(grpc_status.error_details()));
  ASSERT_EQ(details.details_size(), 1);
  EXPECT_EQ(details.details(0).type_url(),
            "type.googleapis.com/google.rpc.BadRequest");
  google::rpc::BadRequest bad_request;
  ASSERT_TRUE(details.details(0).UnpackTo(&bad_request));
  ASSERT_EQ(bad_request.field_violations_size(), 2);
  EXPECT_EQ(bad_request.field_violations(1).field(), "term");

  // And back at the client edge.
  absl::Status round_trip = FromGrpcStatus(grpc_status);
  EXPECT_EQ(round_trip.code(), absl::StatusCode::kInvalidArgument);
  google::rpc::BadRequest again;
  ASSERT_TRUE(GetDetail(round_trip, again));
  EXPECT_EQ(again.field_violations_size(), 2);
}

TEST(GrpcStatusTest, CodesAreEqualByNumber) {
  for (int code = 0; code <= 16; ++code) {
    absl::Status status(static_cast<absl::StatusCode>(code), "m");
    EXPECT_EQ(static_cast<int>(ToGrpcStatus(status).error_code()), code);
  }
}

}  // namespace
}  // namespace headcount
