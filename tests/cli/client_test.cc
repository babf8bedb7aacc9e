// What the client says when a call's outcome cannot be known.
#include "cli/client.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace headcount::cli {
namespace {

using ::testing::HasSubstr;

TEST(ClientTest, OnlyALostAnswerLeavesTheOutcomeUnknown) {
  EXPECT_TRUE(OutcomeUnknown(
      grpc::Status(grpc::StatusCode::UNAVAILABLE, "Socket closed")));
  EXPECT_TRUE(OutcomeUnknown(
      grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "Deadline Exceeded")));
  EXPECT_TRUE(OutcomeUnknown(grpc::Status(grpc::StatusCode::CANCELLED, "")));
  // Never connected: nothing was sent.
  EXPECT_FALSE(OutcomeUnknown(grpc::Status(
      grpc::StatusCode::UNAVAILABLE,
      "failed to connect to all addresses; last error: Connection refused")));
  // Refusals are answers.
  for (grpc::StatusCode code :
       {grpc::StatusCode::INVALID_ARGUMENT, grpc::StatusCode::ALREADY_EXISTS,
        grpc::StatusCode::PERMISSION_DENIED,
        grpc::StatusCode::RESOURCE_EXHAUSTED, grpc::StatusCode::OK}) {
    EXPECT_FALSE(OutcomeUnknown(grpc::Status(code, "x"))) << code;
  }
  const std::string said = UnknownOutcome(
      grpc::Status(grpc::StatusCode::UNAVAILABLE, "Socket closed"),
      "ingest service", "127.0.0.1:50051");
  EXPECT_THAT(said, HasSubstr("may or may not have been stored"));
  EXPECT_THAT(said, HasSubstr("running the same command again is safe"));
  EXPECT_THAT(said, ::testing::Not(HasSubstr("nothing was stored")));
}

}  // namespace
}  // namespace headcount::cli
