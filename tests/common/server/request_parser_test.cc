#include "common/server/request_parser.h"

#include <string>

#include "common/domain/status_util.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "headcount/mirror/requests.pb.h"
#include "headcount/v1/audit.pb.h"
#include "headcount/v1/ingest.pb.h"

namespace headcount {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using ::testing::HasSubstr;

grpc::ByteBuffer Buffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

// Each mirror has exactly its real message's fields: the same numbers,
// names, labels and wire types, `bytes` where the real one has `string`,
// and nested mirrors (or the real nested type) where it has messages.
void ExpectMirrors(const Descriptor* mirror, const Descriptor* real) {
  SCOPED_TRACE(real->full_name());
  ASSERT_EQ(mirror->field_count(), real->field_count());
  for (int i = 0; i < real->field_count(); ++i) {
    const FieldDescriptor* r = real->field(i);
    const FieldDescriptor* m = mirror->FindFieldByNumber(r->number());
    ASSERT_NE(m, nullptr) << "no field " << r->number() << " (" << r->name()
                          << ")";
    EXPECT_EQ(m->name(), r->name());
    EXPECT_EQ(m->is_repeated(), r->is_repeated()) << r->name();
    if (r->type() == FieldDescriptor::TYPE_STRING) {
      EXPECT_EQ(m->type(), FieldDescriptor::TYPE_BYTES) << r->name();
    } else {
      EXPECT_EQ(m->type(), r->type()) << r->name();
    }
    if (r->type() == FieldDescriptor::TYPE_MESSAGE &&
        m->message_type() != r->message_type()) {
      ExpectMirrors(m->message_type(), r->message_type());
    }
    if (r->type() == FieldDescriptor::TYPE_ENUM) {
      EXPECT_EQ(m->enum_type(), r->enum_type()) << r->name();
    }
  }
}

// True when `message` or a message in it has a string field.
bool HoldsStrings(const Descriptor* message, int depth = 0) {
  for (int i = 0; i < message->field_count(); ++i) {
    const FieldDescriptor* field = message->field(i);
    if (field->type() == FieldDescriptor::TYPE_STRING) return true;
    if (field->type() == FieldDescriptor::TYPE_MESSAGE && depth < 8 &&
        HoldsStrings(field->message_type(), depth + 1)) {
      return true;
    }
  }
  return false;
}

TEST(RequestParserTest, EveryRequestWithAStringHasAMatchingMirror) {
  // Derived from the services, so that a new method is covered too.
  int mirrored = 0;
  for (const google::protobuf::ServiceDescriptor* service :
       {v1::SubmitRequest::descriptor()->file()->FindServiceByName(
            "IngestService"),
        v1::AlertEvent::descriptor()->file()->FindServiceByName(
            "AuditService")}) {
    ASSERT_NE(service, nullptr);
    for (int m = 0; m < service->method_count(); ++m) {
      const Descriptor* request = service->method(m)->input_type();
      SCOPED_TRACE(service->method(m)->full_name());
      const google::protobuf::Message* mirror = RequestMirror(*request);
      if (!HoldsStrings(request)) {
        EXPECT_EQ(mirror, nullptr);
        continue;
      }
      ASSERT_NE(mirror, nullptr) << "no mirror for " << request->full_name();
      ExpectMirrors(mirror->GetDescriptor(), request);
      ++mirrored;
    }
  }
  EXPECT_EQ(mirrored, 20);  // SubmitBatch shares SubmitRequest
}

TEST(RequestParserTest, ParsesWhatTheGeneratedSerializerWrites) {
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
    grade->set_registry_count(-g);
  }
  v1::SubmitRequest parsed;
  ASSERT_TRUE(ParseRequest(Buffer(request.SerializeAsString()), parsed).ok());
  EXPECT_EQ(parsed.SerializeAsString(), request.SerializeAsString());

  v1::AlertEvent response;
  response.set_ratio("0.036");
  grpc::ByteBuffer out;
  SerializeResponse(response, out);
  v1::AlertEvent back;
  ASSERT_TRUE(ParseRequest(out, back).ok());
  EXPECT_EQ(back.ratio(), "0.036");
}

// One spelling per name: a decomposed accent and a CJK compatibility
// ideograph (U+F900) arrive in NFC, in nested filters too; ids do not.
TEST(RequestParserTest, PlaceNamesArriveInNfc) {
  v1::SubmitRequest request;
  request.set_submission_id("Cafe\u0301");
  request.set_county("Cafe\u0301");
  request.set_district("\uf900城");
  v1::SubmitRequest parsed;
  ASSERT_TRUE(ParseRequest(Buffer(request.SerializeAsString()), parsed).ok());
  EXPECT_EQ(parsed.county(), "Caf\u00e9");
  EXPECT_EQ(parsed.district(), "\u8c48城");
  EXPECT_EQ(parsed.submission_id(), "Cafe\u0301");

  v1::WatchAlertsRequest watch;
  watch.mutable_filter()->set_county("Cafe\u0301");
  v1::WatchAlertsRequest parsed_watch;
  ASSERT_TRUE(
      ParseRequest(Buffer(watch.SerializeAsString()), parsed_watch).ok());
  EXPECT_EQ(parsed_watch.filter().county(), "Caf\u00e9");
}

TEST(RequestParserTest, NamesEachStringThatIsNotUtf8) {
  // field 5 (school), length 2, bytes E5 9F: a truncated character; and
  // field 3 (county), length 1, byte FF.
  const std::string bytes("\x2a\x02\xe5\x9f\x1a\x01\xff", 7);
  v1::SubmitRequest parsed;
  absl::Status status = ParseRequest(Buffer(bytes), parsed);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("must be valid UTF-8"));
  google::rpc::BadRequest bad_request;
  ASSERT_TRUE(GetDetail(status, bad_request));
  ASSERT_EQ(bad_request.field_violations_size(), 2);
  EXPECT_EQ(bad_request.field_violations(0).field(), "county");
  EXPECT_EQ(bad_request.field_violations(1).field(), "school");

  // Nested: WatchAlertsRequest.filter (2) .district (3).
  const std::string nested("\x12\x03\x1a\x01\xfe", 5);
  v1::WatchAlertsRequest watch;
  status = ParseRequest(Buffer(nested), watch);
  EXPECT_EQ(status.message(), "filter.district: must be valid UTF-8");
}

TEST(RequestParserTest, RejectsBytesThatAreNoMessage) {
  v1::SubmitRequest parsed;
  // Unknown fields are kept aside, as protobuf does.
  EXPECT_TRUE(
      ParseRequest(Buffer(std::string("\xf8\x07\x01", 3)), parsed).ok());
  // Truncated length-delimited field.
  absl::Status status = ParseRequest(Buffer("\x0a\x05"
                                            "ab"),
                                     parsed);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "the request is not a well-formed headcount.v1.SubmitRequest");
  // A nested message (grades, field 6) that is not one.
  EXPECT_EQ(
      ParseRequest(Buffer(std::string("\x32\x02\xff\xff", 4)), parsed).code(),
      absl::StatusCode::kInvalidArgument);
  // A request without a mirror.
  v1::WatchRequest watch;
  EXPECT_EQ(ParseRequest(Buffer("\x0a\x05"
                                "ab"),
                         watch)
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace headcount
