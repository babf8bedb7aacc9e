// JSON: a report as the response's protobuf JSON (indented); alert events
// as JSON Lines, one object a line.
#include "absl/strings/str_cat.h"
#include "cli/output/writer.h"
#include "google/protobuf/util/json_util.h"

namespace headcount::cli {
namespace {

class JsonWriter final : public Writer {
 public:
  std::string Report(const ReportTable& table) const override {
    return table.json;
  }

  std::string Table(const PlainTable& table) const override {
    return table.json + "\n";
  }

  std::string Alerts(const std::vector<v1::AlertEvent>& events,
                     bool with_header) const override {
    std::string out;
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    for (const v1::AlertEvent& event : events) {
      std::string line;
      (void)google::protobuf::util::MessageToJsonString(event, &line, options);
      absl::StrAppend(&out, line, "\n");
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Writer> NewJsonWriter() {
  return std::make_unique<JsonWriter>();
}

}  // namespace headcount::cli
