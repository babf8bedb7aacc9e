// TSV (byte for byte the notice's attachment 1) and CSV (RFC 4180 quoting):
// the same rows, another delimiter.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "cli/output/writer.h"

namespace headcount::cli {
namespace {

class DelimitedWriter final : public Writer {
 public:
  explicit DelimitedWriter(char delimiter) : delimiter_(delimiter) {}

  std::string Report(const ReportTable& table) const override {
    return Lines(ReportCells(table));
  }

  std::string Table(const PlainTable& table) const override {
    std::vector<std::vector<std::string>> rows = {table.header};
    rows.insert(rows.end(), table.rows.begin(), table.rows.end());
    return Lines(rows);
  }

  std::string Alerts(const std::vector<v1::AlertEvent>& events,
                     bool with_header) const override {
    std::vector<std::vector<std::string>> rows;
    if (with_header) rows.push_back(AlertHeader());
    for (const v1::AlertEvent& event : events)
      rows.push_back(AlertCells(event));
    return Lines(rows);
  }

 private:
  std::string Field(const std::string& field) const {
    if (delimiter_ != ',' ||
        field.find_first_of(",\"\n\r") == std::string::npos) {
      return field;
    }
    return absl::StrCat("\"", absl::StrReplaceAll(field, {{"\"", "\"\""}}),
                        "\"");
  }

  std::string Lines(const std::vector<std::vector<std::string>>& rows) const {
    std::string out;
    for (const auto& row : rows) {
      std::vector<std::string> fields;
      for (const std::string& cell : row) fields.push_back(Field(cell));
      absl::StrAppend(&out, absl::StrJoin(fields, std::string(1, delimiter_)),
                      "\n");
    }
    return out;
  }

  const char delimiter_;
};

}  // namespace

std::unique_ptr<Writer> NewTsvWriter() {
  return std::make_unique<DelimitedWriter>('\t');
}
std::unique_ptr<Writer> NewCsvWriter() {
  return std::make_unique<DelimitedWriter>(',');
}

}  // namespace headcount::cli
