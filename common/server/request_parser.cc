#include "common/server/request_parser.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/domain/status_util.h"
#include "common/domain/unicode_text.h"
#include "common/domain/validation.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/support/proto_buffer_reader.h"
#include "headcount/mirror/requests.pb.h"

namespace headcount {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

bool ParseFrom(const grpc::ByteBuffer& buffer, Message& message) {
  grpc::ByteBuffer copy(buffer);  // the reader consumes its buffer
  grpc::ProtoBufferReader reader(&copy);
  return reader.status().ok() && message.ParseFromZeroCopyStream(&reader);
}

// Appends a violation for each bytes field of `mirror` that is not UTF-8;
// field paths as validation writes them ("filter.county").
void CheckUtf8(const Message& mirror, const std::string& prefix,
               std::vector<FieldViolation>& violations) {
  const google::protobuf::Reflection* reflection = mirror.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(mirror, &fields);
  for (const FieldDescriptor* field : fields) {
    const std::string path = prefix + field->name();
    if (field->type() == FieldDescriptor::TYPE_BYTES && !field->is_repeated()) {
      std::string scratch;
      const std::string& value =
          reflection->GetStringReference(mirror, field, &scratch);
      if (!IsValidUtf8(value)) {
        violations.push_back({path, "must be valid UTF-8"});
      }
    } else if (field->type() == FieldDescriptor::TYPE_MESSAGE &&
               !field->is_repeated()) {
      CheckUtf8(reflection->GetMessage(mirror, field), path + ".", violations);
    } else if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
      // Repeated (a roster's schools): each named by its index.
      const int size = reflection->FieldSize(mirror, field);
      for (int i = 0; i < size && violations.size() < 100; ++i) {
        CheckUtf8(reflection->GetRepeatedMessage(mirror, field, i),
                  absl::StrCat(path, "[", i, "]."), violations);
      }
    }
  }
}

// The place names of a request (term, county, district, school, also in
// nested messages such as filter) in NFC: one spelling per name.
void NormalizeNames(Message& message) {
  const google::protobuf::Reflection* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (field->is_repeated()) {
      if (field->type() != FieldDescriptor::TYPE_MESSAGE) continue;
      const int size = reflection->FieldSize(message, field);
      for (int i = 0; i < size; ++i) {
        NormalizeNames(*reflection->MutableRepeatedMessage(&message, field, i));
      }
      continue;
    }
    if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
      NormalizeNames(*reflection->MutableMessage(&message, field));
    } else if (field->type() == FieldDescriptor::TYPE_STRING &&
               (field->name() == "term" || field->name() == "county" ||
                field->name() == "district" || field->name() == "school")) {
      std::string scratch;
      const std::string& value =
          reflection->GetStringReference(message, field, &scratch);
      std::string normalized = ToNfc(value);
      if (normalized != value) {
        reflection->SetString(&message, field, std::move(normalized));
      }
    }
  }
}

}  // namespace

const Message* RequestMirror(const google::protobuf::Descriptor& request) {
  // Naming a generated mirror links its file into the generated pool.
  const google::protobuf::FileDescriptor* mirrors =
      mirror::SubmitRequest::descriptor()->file();
  const google::protobuf::Descriptor* found =
      mirrors->FindMessageTypeByName(request.name());
  if (found == nullptr) return nullptr;
  return google::protobuf::MessageFactory::generated_factory()->GetPrototype(
      found);
}

absl::Status ParseRequest(const grpc::ByteBuffer& buffer, Message& request) {
  request.Clear();
  if (ParseFrom(buffer, request)) {
    NormalizeNames(request);
    return absl::OkStatus();
  }
  request.Clear();
  // Only a refused request pays for finding out why.
  const Message* mirror = RequestMirror(*request.GetDescriptor());
  if (mirror != nullptr) {
    std::unique_ptr<Message> copy(mirror->New());
    if (ParseFrom(buffer, *copy)) {
      std::vector<FieldViolation> violations;
      CheckUtf8(*copy, "", violations);
      if (!violations.empty()) return InvalidArgument(violations);
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "the request is not a well-formed ", request.GetDescriptor()->full_name()));
}

void SerializeResponse(const Message& message, grpc::ByteBuffer& buffer) {
  std::string bytes = message.SerializeAsString();
  grpc::Slice slice(bytes);
  buffer = grpc::ByteBuffer(&slice, 1);
}

}  // namespace headcount
