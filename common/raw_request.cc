#include "common/raw_request.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/unknown_field_set.h"
#include "google/protobuf/wire_format_lite.h"

namespace headcount {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using google::protobuf::UnknownField;
using google::protobuf::UnknownFieldSet;
using google::protobuf::internal::WireFormatLite;

constexpr int kMaxDepth = 32;

// Stores one varint-encoded value; false when the field cannot hold one.
bool SetVarint(const FieldDescriptor* field, uint64_t value, Message& message,
               const Reflection* r) {
  const bool repeated = field->is_repeated();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t v = field->type() == FieldDescriptor::TYPE_SINT32
                      ? WireFormatLite::ZigZagDecode32(static_cast<uint32_t>(value))
                      : static_cast<int32_t>(value);
      repeated ? r->AddInt32(&message, field, v) : r->SetInt32(&message, field, v);
      return true;
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v = field->type() == FieldDescriptor::TYPE_SINT64
                      ? WireFormatLite::ZigZagDecode64(value)
                      : static_cast<int64_t>(value);
      repeated ? r->AddInt64(&message, field, v) : r->SetInt64(&message, field, v);
      return true;
    }
    case FieldDescriptor::CPPTYPE_UINT32:
      repeated ? r->AddUInt32(&message, field, static_cast<uint32_t>(value))
               : r->SetUInt32(&message, field, static_cast<uint32_t>(value));
      return true;
    case FieldDescriptor::CPPTYPE_UINT64:
      repeated ? r->AddUInt64(&message, field, value)
               : r->SetUInt64(&message, field, value);
      return true;
    case FieldDescriptor::CPPTYPE_BOOL:
      repeated ? r->AddBool(&message, field, value != 0)
               : r->SetBool(&message, field, value != 0);
      return true;
    case FieldDescriptor::CPPTYPE_ENUM:
      repeated ? r->AddEnumValue(&message, field, static_cast<int>(value))
               : r->SetEnumValue(&message, field, static_cast<int>(value));
      return true;
    default:
      return false;
  }
}

bool SetFixed(const FieldDescriptor* field, uint64_t bits, bool is_64,
              Message& message, const Reflection* r) {
  const bool repeated = field->is_repeated();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_DOUBLE:
      if (!is_64) return false;
      repeated ? r->AddDouble(&message, field, WireFormatLite::DecodeDouble(bits))
               : r->SetDouble(&message, field, WireFormatLite::DecodeDouble(bits));
      return true;
    case FieldDescriptor::CPPTYPE_FLOAT:
      if (is_64) return false;
      repeated ? r->AddFloat(&message, field,
                             WireFormatLite::DecodeFloat(static_cast<uint32_t>(bits)))
               : r->SetFloat(&message, field,
                             WireFormatLite::DecodeFloat(static_cast<uint32_t>(bits)));
      return true;
    default:
      return SetVarint(field, bits, message, r);  // fixed/sfixed integers
  }
}

bool Fill(const UnknownFieldSet& fields, Message& message, int depth);

bool FillLengthDelimited(const FieldDescriptor* field, const std::string& bytes,
                         Message& message, const Reflection* r, int depth) {
  if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
    field->is_repeated() ? r->AddString(&message, field, bytes)
                         : r->SetString(&message, field, bytes);
    return true;
  }
  if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    UnknownFieldSet nested;
    if (!nested.ParseFromString(bytes)) return false;
    Message* child = field->is_repeated() ? r->AddMessage(&message, field)
                                          : r->MutableMessage(&message, field);
    return Fill(nested, *child, depth + 1);
  }
  if (!field->is_repeated()) return false;
  // A packed repeated scalar.
  google::protobuf::io::CodedInputStream in(
      reinterpret_cast<const uint8_t*>(bytes.data()), static_cast<int>(bytes.size()));
  const FieldDescriptor::Type type = field->type();
  while (in.BytesUntilLimit() > 0) {
    if (type == FieldDescriptor::TYPE_FIXED32 || type == FieldDescriptor::TYPE_SFIXED32 ||
        type == FieldDescriptor::TYPE_FLOAT) {
      uint32_t bits;
      if (!in.ReadLittleEndian32(&bits) || !SetFixed(field, bits, false, message, r)) {
        return false;
      }
    } else if (type == FieldDescriptor::TYPE_FIXED64 ||
               type == FieldDescriptor::TYPE_SFIXED64 ||
               type == FieldDescriptor::TYPE_DOUBLE) {
      uint64_t bits;
      if (!in.ReadLittleEndian64(&bits) || !SetFixed(field, bits, true, message, r)) {
        return false;
      }
    } else {
      uint64_t value;
      if (!in.ReadVarint64(&value) || !SetVarint(field, value, message, r)) return false;
    }
  }
  return true;
}

bool Fill(const UnknownFieldSet& fields, Message& message, int depth) {
  if (depth > kMaxDepth) return false;
  const Reflection* r = message.GetReflection();
  for (int i = 0; i < fields.field_count(); ++i) {
    const UnknownField& f = fields.field(i);
    const FieldDescriptor* field =
        message.GetDescriptor()->FindFieldByNumber(f.number());
    if (field == nullptr) continue;  // unknown fields are ignored, as usual
    bool ok = false;
    switch (f.type()) {
      case UnknownField::TYPE_VARINT:
        ok = SetVarint(field, f.varint(), message, r);
        break;
      case UnknownField::TYPE_FIXED32:
        ok = SetFixed(field, f.fixed32(), false, message, r);
        break;
      case UnknownField::TYPE_FIXED64:
        ok = SetFixed(field, f.fixed64(), true, message, r);
        break;
      case UnknownField::TYPE_LENGTH_DELIMITED:
        ok = FillLengthDelimited(field, f.length_delimited(), message, r, depth);
        break;
      default:
        ok = false;
    }
    if (!ok) return false;
  }
  return true;
}

}  // namespace

absl::Status ParseRawRequest(const grpc::ByteBuffer& buffer, Message& message) {
  std::vector<grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok()) {
    return absl::InvalidArgumentError("the request could not be read");
  }
  std::string bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  UnknownFieldSet fields;
  if (!fields.ParseFromString(bytes) || !Fill(fields, message, 0)) {
    message.Clear();
    return absl::InvalidArgumentError(absl::StrCat(
        "the request is not a well-formed ", message.GetDescriptor()->full_name()));
  }
  return absl::OkStatus();
}

void SerializeRawResponse(const Message& message, grpc::ByteBuffer& buffer) {
  std::string bytes = message.SerializeAsString();
  grpc::Slice slice(bytes);
  buffer = grpc::ByteBuffer(&slice, 1);
}

}  // namespace headcount
