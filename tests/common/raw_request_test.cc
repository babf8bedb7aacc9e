#include "common/raw_request.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "headcount/v1/audit.pb.h"
#include "headcount/v1/ingest.pb.h"

namespace headcount {
namespace {

grpc::ByteBuffer Buffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

TEST(RawRequestTest, ParsesWhatTheGeneratedParserParses) {
  v1::SubmitRequest request;
  request.set_submission_id("id");
  request.set_term("2015-autumn");
  request.set_county("利辛县");
  request.set_district("城北");
  request.set_school("城北中心小学");
  request.set_dry_run(true);
  for (int g = 1; g <= 3; ++g) {
    auto* grade = request.add_grades();
    grade->set_grade(g);
    grade->set_onsite_count(1'000'000 + g);
    grade->set_registry_count(-g);  // negative varints round-trip too
  }
  v1::SubmitRequest parsed;
  ASSERT_TRUE(ParseRawRequest(Buffer(request.SerializeAsString()), parsed).ok());
  EXPECT_EQ(parsed.SerializeAsString(), request.SerializeAsString());

  v1::WatchAlertsRequest watch;
  watch.set_after_alert_id(42);
  watch.mutable_filter()->set_level(v1::DISTRICT);
  watch.mutable_filter()->set_term("2016-spring");
  v1::WatchAlertsRequest watch_parsed;
  ASSERT_TRUE(ParseRawRequest(Buffer(watch.SerializeAsString()), watch_parsed).ok());
  EXPECT_EQ(watch_parsed.SerializeAsString(), watch.SerializeAsString());

  v1::AlertEvent response;
  response.set_ratio("0.036");
  grpc::ByteBuffer out;
  SerializeRawResponse(response, out);
  v1::AlertEvent back;
  ASSERT_TRUE(ParseRawRequest(out, back).ok());
  EXPECT_EQ(back.ratio(), "0.036");
}

TEST(RawRequestTest, KeepsInvalidUtf8ForValidationToName) {
  // field 5 (school), length 2, bytes E5 9F: a truncated character.
  const std::string bytes("\x2a\x02\xe5\x9f", 4);
  v1::SubmitRequest parsed;
  ASSERT_TRUE(ParseRawRequest(Buffer(bytes), parsed).ok());
  EXPECT_EQ(parsed.school(), std::string("\xe5\x9f"));
}

TEST(RawRequestTest, IgnoresUnknownFieldsAndRejectsMalformedBytes) {
  v1::SubmitRequest parsed;
  EXPECT_TRUE(ParseRawRequest(Buffer(std::string("\xf8\x07\x01", 3)), parsed).ok());
  // Truncated length-delimited field.
  EXPECT_EQ(ParseRawRequest(Buffer("\x0a\x05ab"), parsed).code(),
            absl::StatusCode::kInvalidArgument);
  // A varint where a string belongs (field 2, wire type 0).
  EXPECT_EQ(ParseRawRequest(Buffer(std::string("\x10\x01", 2)), parsed).code(),
            absl::StatusCode::kInvalidArgument);
  // A string where a nested message belongs, that is not a message.
  EXPECT_EQ(ParseRawRequest(Buffer(std::string("\x32\x02\xff\xff", 4)), parsed)
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace headcount
