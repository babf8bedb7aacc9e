#include "cli/spreadsheet/xlsx_reader.h"

#include <expat.h>
#include <zip.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace headcount {
namespace {

// Hostile or damaged files: no part is unpacked beyond this, and no cell
// lies beyond Excel's own limits.
constexpr int64_t kMaxPartBytes = int64_t{256} << 20;
constexpr int kMaxColumns = 16384;  // column XFD
constexpr int kMaxRow = 1048576;

constexpr char kWorkbook[] = "xl/workbook.xml";
constexpr char kWorkbookRelations[] = "xl/_rels/workbook.xml.rels";
constexpr char kSharedStrings[] = "xl/sharedStrings.xml";

// A read-only zip archive over bytes the caller keeps alive.
class Archive {
 public:
  static absl::StatusOr<std::unique_ptr<Archive>> Open(absl::string_view bytes) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source =
        zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    zip_t* zip = source == nullptr
                     ? nullptr
                     : zip_open_from_source(source, ZIP_RDONLY, &error);
    if (zip == nullptr) {
      if (source != nullptr) zip_source_free(source);
      std::string reason = zip_error_strerror(&error);
      zip_error_fini(&error);
      return absl::InvalidArgumentError(absl::StrCat(
          "not a readable .xlsx workbook (the zip archive: ", reason, ")"));
    }
    return std::unique_ptr<Archive>(new Archive(zip));
  }
  ~Archive() { zip_discard(zip_); }

  bool Has(const std::string& name) const {
    return zip_name_locate(zip_, name.c_str(), ZIP_FL_NOCASE) >= 0;
  }

  // The unpacked part `name`; INVALID_ARGUMENT when missing, damaged or
  // larger than kMaxPartBytes.
  absl::StatusOr<std::string> Read(const std::string& name) const {
    const zip_int64_t index = zip_name_locate(zip_, name.c_str(), ZIP_FL_NOCASE);
    if (index < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("the workbook has no part ", name));
    }
    zip_file_t* file = zip_fopen_index(zip_, index, 0);
    if (file == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "cannot unpack ", name, " of the workbook: ", zip_strerror(zip_)));
    }
    std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> closer(file, zip_fclose);
    std::string out;
    char buffer[64 * 1024];
    zip_int64_t read;
    while ((read = zip_fread(file, buffer, sizeof buffer)) > 0) {
      if (static_cast<int64_t>(out.size()) + read > kMaxPartBytes) {
        return absl::InvalidArgumentError(absl::StrCat(
            name, " of the workbook unpacks to more than ",
            kMaxPartBytes >> 20, " MiB; refusing it"));
      }
      out.append(buffer, read);
    }
    if (read < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot unpack ", name,
                       " of the workbook: ", zip_file_strerror(file)));
    }
    return out;
  }

 private:
  explicit Archive(zip_t* zip) : zip_(zip) {}
  zip_t* const zip_;
};

// The part of an XML name after its namespace ("uri|row" -> "row").
absl::string_view LocalName(const char* name) {
  absl::string_view view(name);
  const size_t bar = view.rfind('|');
  return bar == absl::string_view::npos ? view : view.substr(bar + 1);
}

// The value of attribute `local` (namespace ignored), or "".
absl::string_view Attribute(const char** attributes, absl::string_view local) {
  for (int i = 0; attributes[i] != nullptr; i += 2) {
    if (LocalName(attributes[i]) == local) return attributes[i + 1];
  }
  return "";
}

// Receives the events of one part; Fail stops the parse with a reason.
class XmlHandler {
 public:
  virtual ~XmlHandler() = default;
  virtual void Start(absl::string_view name, const char** attributes) {}
  virtual void End(absl::string_view name) {}
  virtual void Text(absl::string_view text) {}

  void Fail(std::string reason) {
    if (error_.empty()) error_ = std::move(reason);
    XML_StopParser(parser_, XML_FALSE);
  }

 private:
  friend absl::Status ParseXml(const std::string&, const std::string&,
                               XmlHandler&);
  XML_Parser parser_ = nullptr;
  std::string error_;
};

absl::Status ParseXml(const std::string& part, const std::string& xml,
                      XmlHandler& handler) {
  std::unique_ptr<XML_ParserStruct, void (*)(XML_Parser)> parser(
      XML_ParserCreateNS(nullptr, '|'), XML_ParserFree);
  handler.parser_ = parser.get();
  XML_SetUserData(parser.get(), &handler);
  XML_SetElementHandler(
      parser.get(),
      [](void* data, const XML_Char* name, const XML_Char** attributes) {
        static_cast<XmlHandler*>(data)->Start(LocalName(name), attributes);
      },
      [](void* data, const XML_Char* name) {
        static_cast<XmlHandler*>(data)->End(LocalName(name));
      });
  XML_SetCharacterDataHandler(
      parser.get(), [](void* data, const XML_Char* text, int length) {
        static_cast<XmlHandler*>(data)->Text(absl::string_view(text, length));
      });
  const XML_Status status = XML_Parse(parser.get(), xml.data(),
                                      static_cast<int>(xml.size()), XML_TRUE);
  if (!handler.error_.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(part, " of the workbook: ", handler.error_));
  }
  if (status != XML_STATUS_OK) {
    return absl::InvalidArgumentError(absl::StrCat(
        part, " of the workbook, line ",
        XML_GetCurrentLineNumber(parser.get()), ": ",
        XML_ErrorString(XML_GetErrorCode(parser.get()))));
  }
  return absl::OkStatus();
}

// xl/workbook.xml: the sheets in the order Excel shows their tabs.
struct SheetsHandler : XmlHandler {
  std::vector<std::pair<std::string, std::string>> sheets;  // name, r:id
  void Start(absl::string_view name, const char** attributes) override {
    if (name == "sheet") {
      sheets.emplace_back(std::string(Attribute(attributes, "name")),
                          std::string(Attribute(attributes, "id")));
    }
  }
};

// xl/_rels/workbook.xml.rels: relationship id -> part name.
struct RelationsHandler : XmlHandler {
  std::map<std::string, std::string> targets;
  void Start(absl::string_view name, const char** attributes) override {
    if (name != "Relationship") return;
    std::string target(Attribute(attributes, "Target"));
    // Relative to xl/, or absolute within the archive.
    target = absl::StartsWith(target, "/") ? target.substr(1)
                                           : absl::StrCat("xl/", target);
    targets[std::string(Attribute(attributes, "Id"))] = std::move(target);
  }
};

// Text of <t> elements, leaving out phonetic runs (<rPh>) that East Asian
// Excel adds to a string.
struct RichTextState {
  int phonetic_depth = 0;
  bool in_text = false;
  std::string text;

  void Start(absl::string_view name) {
    if (name == "rPh") ++phonetic_depth;
    if (name == "t") in_text = phonetic_depth == 0;
  }
  void End(absl::string_view name) {
    if (name == "rPh") --phonetic_depth;
    if (name == "t") in_text = false;
  }
  void Text(absl::string_view chars) {
    if (in_text) text.append(chars.data(), chars.size());
  }
};

// xl/sharedStrings.xml: the strings cells of type "s" refer to by index.
struct SharedStringsHandler : XmlHandler {
  std::vector<std::string> strings;
  RichTextState item;
  void Start(absl::string_view name, const char**) override {
    if (name == "si") item = RichTextState();
    item.Start(name);
  }
  void End(absl::string_view name) override {
    item.End(name);
    if (name == "si") strings.push_back(std::move(item.text));
  }
  void Text(absl::string_view chars) override { item.Text(chars); }
};

// A stored number's text as Excel's General format shows it; the text
// itself when it is no number.
std::string NumberText(const std::string& value) {
  double number;
  if (!absl::SimpleAtod(value, &number)) return value;
  return ExcelNumberText(number);
}

// "B12" -> column 1 (0-based), row 12; false when it is no cell reference.
bool ParseCellReference(absl::string_view ref, int* column, int* row) {
  size_t i = 0;
  int64_t col = 0;
  while (i < ref.size() && absl::ascii_isalpha(ref[i]) && col <= kMaxColumns) {
    col = col * 26 + (absl::ascii_toupper(ref[i]) - 'A' + 1);
    ++i;
  }
  int64_t number = 0;
  if (i == 0 || !absl::SimpleAtoi(ref.substr(i), &number)) return false;
  if (col > kMaxColumns || number < 1 || number > kMaxRow) return false;
  *column = static_cast<int>(col - 1);
  *row = static_cast<int>(number);
  return true;
}

// xl/worksheets/sheetN.xml: rows of cells as text.
class WorksheetHandler : public XmlHandler {
 public:
  explicit WorksheetHandler(const std::vector<std::string>& shared)
      : shared_(shared) {}

  std::vector<SheetRow> rows;

  void Start(absl::string_view name, const char** attributes) override {
    if (name == "row") {
      int64_t number = 0;
      absl::string_view r = Attribute(attributes, "r");
      if (r.empty()) {
        number = rows.empty() ? 1 : rows.back().line + 1;
      } else if (!absl::SimpleAtoi(r, &number) || number < 1 ||
                 number > kMaxRow) {
        return Fail(absl::StrCat("row number \"", r, "\" is not 1..", kMaxRow));
      }
      rows.push_back(SheetRow{static_cast<int>(number), {}});
      in_row_ = true;
      next_column_ = 0;
    } else if (name == "c" && in_row_) {
      absl::string_view ref = Attribute(attributes, "r");
      int row = 0;
      if (ref.empty()) {
        column_ = next_column_;
      } else if (!ParseCellReference(ref, &column_, &row)) {
        return Fail(absl::StrCat("cell reference \"", ref,
                                 "\" is not a column A..XFD and a row"));
      }
      if (column_ >= kMaxColumns) {
        return Fail(absl::StrCat("row ", rows.back().line,
                                 " has cells beyond column XFD"));
      }
      type_ = std::string(Attribute(attributes, "t"));
      reference_ = ref.empty() ? absl::StrCat("column ", column_ + 1, " of row ",
                                              rows.back().line)
                               : std::string(ref);
      value_.clear();
      inline_ = RichTextState();
    } else if (name == "v") {
      in_value_ = true;
    } else if (name == "is") {
      in_inline_ = true;
    } else if (in_inline_) {
      inline_.Start(name);
    }
  }

  void End(absl::string_view name) override {
    if (name == "row") {
      in_row_ = false;
    } else if (name == "c" && in_row_) {
      absl::StatusOr<std::string> text = CellText();
      if (!text.ok()) return Fail(std::string(text.status().message()));
      next_column_ = column_ + 1;
      absl::string_view trimmed = absl::StripAsciiWhitespace(*text);
      // A cell with a style and no value widens nothing.
      if (trimmed.empty()) return;
      std::vector<std::string>& cells = rows.back().cells;
      if (cells.size() <= static_cast<size_t>(column_)) {
        cells.resize(column_ + 1);
      }
      cells[column_] = std::string(trimmed);
    } else if (name == "v") {
      in_value_ = false;
    } else if (name == "is") {
      in_inline_ = false;
    } else if (in_inline_) {
      inline_.End(name);
    }
  }

  void Text(absl::string_view chars) override {
    if (in_value_) value_.append(chars.data(), chars.size());
    if (in_inline_) inline_.Text(chars);
  }

 private:
  absl::StatusOr<std::string> CellText() const {
    if (type_ == "s") {
      size_t index = 0;
      if (!absl::SimpleAtoi(value_, &index) || index >= shared_.size()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "cell ", reference_, " refers to shared string \"", value_,
            "\"; the workbook has ", shared_.size()));
      }
      return shared_[index];
    }
    if (type_ == "inlineStr") return inline_.text;
    if (type_ == "b") return std::string(value_ == "1" ? "TRUE" : "FALSE");
    if (type_ == "str" || type_ == "e" || type_ == "d") return value_;
    return NumberText(value_);  // "n", or no type
  }

  const std::vector<std::string>& shared_;
  bool in_row_ = false;
  bool in_value_ = false;
  bool in_inline_ = false;
  int next_column_ = 0;
  int column_ = 0;
  std::string type_;
  std::string reference_;
  std::string value_;
  RichTextState inline_;
};

}  // namespace

std::string ExcelNumberText(double number) {
  if (!std::isfinite(number)) return absl::StrCat(number);
  if (number == std::floor(number) && std::fabs(number) < 1e15) {
    return absl::StrCat(static_cast<int64_t>(number));
  }
  return absl::StrFormat("%.15g", number);
}

bool LooksLikeZip(absl::string_view bytes) {
  return absl::StartsWith(bytes, "PK\x03\x04");
}

absl::StatusOr<std::vector<SheetRow>> ReadXlsxSheet(absl::string_view bytes,
                                                    absl::string_view sheet) {
  absl::StatusOr<std::unique_ptr<Archive>> archive = Archive::Open(bytes);
  if (!archive.ok()) return archive.status();
  if (!(*archive)->Has(kWorkbook)) {
    return absl::InvalidArgumentError(
        absl::StrCat("a zip archive but not an .xlsx workbook (it has no ",
                     kWorkbook, ")"));
  }
  SheetsHandler sheets;
  RelationsHandler relations;
  for (auto [part, handler] :
       {std::pair<const char*, XmlHandler*>{kWorkbook, &sheets},
        {kWorkbookRelations, &relations}}) {
    absl::StatusOr<std::string> xml = (*archive)->Read(part);
    if (!xml.ok()) return xml.status();
    if (absl::Status parsed = ParseXml(part, *xml, *handler); !parsed.ok()) {
      return parsed;
    }
  }
  // The sheet asked for, or the first worksheet (not a chart sheet).
  std::string part;
  std::vector<std::string> names;
  for (const auto& [name, id] : sheets.sheets) {
    auto target = relations.targets.find(id);
    if (target == relations.targets.end() ||
        !absl::StrContains(target->second, "worksheets/")) {
      continue;
    }
    names.push_back(name);
    if (part.empty() && (sheet.empty() || name == sheet)) {
      part = target->second;
    }
  }
  if (part.empty()) {
    return NoSuchSheet(sheet, names);
  }
  SharedStringsHandler shared;
  if ((*archive)->Has(kSharedStrings)) {
    absl::StatusOr<std::string> xml = (*archive)->Read(kSharedStrings);
    if (!xml.ok()) return xml.status();
    if (absl::Status parsed = ParseXml(kSharedStrings, *xml, shared);
        !parsed.ok()) {
      return parsed;
    }
  }
  absl::StatusOr<std::string> xml = (*archive)->Read(part);
  if (!xml.ok()) return xml.status();
  WorksheetHandler worksheet(shared.strings);
  if (absl::Status parsed = ParseXml(part, *xml, worksheet); !parsed.ok()) {
    return parsed;
  }
  size_t width = 0;
  for (const SheetRow& row : worksheet.rows) {
    width = std::max(width, row.cells.size());
  }
  if (width * worksheet.rows.size() > kMaxSheetCells) {
    return absl::InvalidArgumentError(absl::StrCat(
        part, " of the workbook: ", worksheet.rows.size(), " rows of ", width,
        " columns are more than ", kMaxSheetCells, " cells; refusing it"));
  }
  for (SheetRow& row : worksheet.rows) row.cells.resize(width);
  return std::move(worksheet.rows);
}

}  // namespace headcount
