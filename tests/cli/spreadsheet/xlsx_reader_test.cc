// The .xlsx reader on workbooks made here part by part (libzip), so that
// each test shows the XML it reads: shared, rich, phonetic and inline
// strings, numbers as Excel stores them, cells without references,
// namespace prefixes, sheets by name, and damaged files.
#include "cli/spreadsheet/xlsx_reader.h"

#include <zip.h>

#include <map>
#include <string>

#include "common/domain/text_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace headcount {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kMain[] =
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
constexpr char kRelations[] =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

// A zip archive of `parts` (name -> content), as bytes.
std::string Zip(const std::map<std::string, std::string>& parts) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/book.xlsx";
  int error = 0;
  zip_t* zip = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  EXPECT_NE(zip, nullptr) << error;
  for (const auto& [name, content] : parts) {
    zip_source_t* source =
        zip_source_buffer(zip, content.data(), content.size(), 0);
    EXPECT_GE(zip_file_add(zip, name.c_str(), source, ZIP_FL_ENC_UTF_8), 0);
  }
  EXPECT_EQ(zip_close(zip), 0);
  return *ReadTextFile(path);
}

// A workbook whose sheets are `sheets` (name -> sheetData XML), in order,
// with `shared` as its shared strings part when not empty.
std::string Workbook(
    const std::vector<std::pair<std::string, std::string>>& sheets,
    const std::string& shared = "") {
  std::string workbook = absl::StrCat("<workbook xmlns=\"", kMain,
                                      "\" xmlns:r=\"", kRelations, "\"><sheets>");
  std::string relations =
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/"
      "relationships\">";
  std::map<std::string, std::string> parts;
  for (size_t i = 0; i < sheets.size(); ++i) {
    absl::StrAppend(&workbook, "<sheet name=\"", sheets[i].first,
                    "\" sheetId=\"", i + 1, "\" r:id=\"rId", i + 1, "\"/>");
    absl::StrAppend(&relations, "<Relationship Id=\"rId", i + 1,
                    "\" Type=\"x\" Target=\"worksheets/sheet", i + 1,
                    ".xml\"/>");
    parts[absl::StrCat("xl/worksheets/sheet", i + 1, ".xml")] =
        absl::StrCat("<worksheet xmlns=\"", kMain, "\"><sheetData>",
                     sheets[i].second, "</sheetData></worksheet>");
  }
  parts["xl/workbook.xml"] = workbook + "</sheets></workbook>";
  parts["xl/_rels/workbook.xml.rels"] = relations + "</Relationships>";
  if (!shared.empty()) {
    parts["xl/sharedStrings.xml"] =
        absl::StrCat("<sst xmlns=\"", kMain, "\">", shared, "</sst>");
  }
  return Zip(parts);
}

std::vector<std::vector<std::string>> Cells(
    const absl::StatusOr<std::vector<SheetRow>>& rows) {
  EXPECT_TRUE(rows.ok()) << rows.status();
  std::vector<std::vector<std::string>> cells;
  if (rows.ok()) {
    for (const SheetRow& row : *rows) cells.push_back(row.cells);
  }
  return cells;
}

TEST(XlsxReaderTest, ReadsEveryKindOfCellAsExcelShowsIt) {
  const std::string book = Workbook(
      {{"表1",
        "<row r=\"1\">"
        "<c r=\"A1\" t=\"s\"><v>0</v></c>"                 // shared
        "<c r=\"B1\" t=\"s\"><v>1</v></c>"                 // rich runs
        "<c r=\"C1\" t=\"s\"><v>2</v></c>"                 // with phonetic
        "<c r=\"D1\" t=\"inlineStr\"><is><t> 初一 </t></is></c>"
        "</row>"
        "<row r=\"3\">"                                      // row 2 empty
        "<c><v>61</v></c>"                                   // no reference
        "<c><v>6.1E1</v></c>"
        "<c t=\"n\"><v>0.033000000000000002</v></c>"
        "<c t=\"str\"><f>A1&amp;B1</f><v>ab</v></c>"
        "<c t=\"b\"><v>1</v></c>"
        "<c r=\"H3\" t=\"e\"><v>#N/A</v></c>"
        "<c r=\"XFD3\" s=\"4\"/>"  // styled, empty: widens nothing
        "</row>"}},
      "<si><t>学校</t></si>"
      "<si><r><t>城北</t></r><r><rPr><b/></rPr><t>中心小学</t></r></si>"
      "<si><t>阚疃</t><rPh sb=\"0\" eb=\"1\"><t>kàn</t></rPh></si>");
  absl::StatusOr<std::vector<SheetRow>> rows = ReadXlsxSheet(book, "");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].line, 1);
  EXPECT_EQ((*rows)[1].line, 3);
  EXPECT_THAT(Cells(rows),
              ElementsAre(ElementsAre("学校", "城北中心小学", "阚疃", "初一",
                                      "", "", "", ""),
                          ElementsAre("61", "61", "0.033", "ab", "TRUE", "",
                                      "", "#N/A")));
}

TEST(XlsxReaderTest, ReadsPrefixedNamespaces) {
  // Some generators write <x:row> with a prefix instead of a default
  // namespace.
  std::string book = Zip({
      {"xl/workbook.xml",
       absl::StrCat("<x:workbook xmlns:x=\"", kMain, "\" xmlns:r=\"",
                    kRelations,
                    "\"><x:sheets><x:sheet name=\"S\" sheetId=\"1\" "
                    "r:id=\"rId1\"/></x:sheets></x:workbook>")},
      {"xl/_rels/workbook.xml.rels",
       "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/"
       "relationships\"><Relationship Id=\"rId1\" Type=\"x\" "
       "Target=\"/xl/worksheets/data.xml\"/></Relationships>"},
      {"xl/worksheets/data.xml",
       absl::StrCat("<x:worksheet xmlns:x=\"", kMain,
                    "\"><x:sheetData><x:row r=\"2\"><x:c r=\"B2\" "
                    "t=\"inlineStr\"><x:is><x:t>学区</x:t></x:is></x:c>"
                    "</x:row></x:sheetData></x:worksheet>")},
  });
  EXPECT_THAT(Cells(ReadXlsxSheet(book, "")),
              ElementsAre(ElementsAre("", "学区")));
}

TEST(XlsxReaderTest, PicksASheetByNameAndNamesTheSheetsThereAre) {
  const std::string book =
      Workbook({{"说明", "<row r=\"1\"><c t=\"inlineStr\"><is><t>notes</t>"
                         "</is></c></row>"},
                {"城北", "<row r=\"1\"><c><v>7</v></c></row>"}});
  EXPECT_THAT(Cells(ReadXlsxSheet(book, "")), ElementsAre(ElementsAre("notes")));
  EXPECT_THAT(Cells(ReadXlsxSheet(book, "城北")), ElementsAre(ElementsAre("7")));
  absl::StatusOr<std::vector<SheetRow>> missing = ReadXlsxSheet(book, "城南");
  EXPECT_EQ(missing.status().message(),
            "--sheet: the workbook has no sheet \"城南\"; its sheets are 说明, "
            "城北");
}

TEST(XlsxReaderTest, SaysWhatIsWrongWithADamagedWorkbook) {
  struct Case {
    std::string name;
    std::string bytes;
    std::string message;
  };
  const std::string good = Workbook({{"S", "<row r=\"1\"><c><v>1</v></c></row>"}});
  const Case cases[] = {
      {"not a zip", "term,county\n", "not a readable .xlsx workbook"},
      {"cut short", good.substr(0, good.size() / 2),
       "not a readable .xlsx workbook"},
      {"a zip of something else", Zip({{"word/document.xml", "<w/>"}}),
       "a zip archive but not an .xlsx workbook (it has no xl/workbook.xml)"},
      {"broken XML",
       Workbook({{"S", "<row r=\"1\">\n<c><v>1</v></row>"}}),
       "xl/worksheets/sheet1.xml of the workbook, line 2: mismatched tag"},
      {"shared string out of range",
       Workbook({{"S", "<row r=\"1\"><c r=\"C1\" t=\"s\"><v>5</v></c></row>"}},
                "<si><t>a</t></si>"),
       "cell C1 refers to shared string \"5\"; the workbook has 1"},
      {"bad reference", Workbook({{"S", "<row r=\"1\"><c r=\"1A\"/></row>"}}),
       "cell reference \"1A\" is not a column A..XFD and a row"},
      {"beyond XFD", Workbook({{"S", "<row r=\"1\"><c r=\"XFE1\"/></row>"}}),
       "cell reference \"XFE1\" is not a column A..XFD and a row"},
      {"row number", Workbook({{"S", "<row r=\"0\"/>"}}),
       "row number \"0\" is not 1..1048576"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::vector<SheetRow>> rows = ReadXlsxSheet(c.bytes, "");
    EXPECT_EQ(rows.status().code(), absl::StatusCode::kInvalidArgument)
        << c.name;
    EXPECT_THAT(rows.status().message(), HasSubstr(c.message)) << c.name;
  }
}

TEST(XlsxReaderTest, ShowsNumbersAsTheGeneralFormatDoes) {
  EXPECT_EQ(ExcelNumberText(61), "61");
  EXPECT_EQ(ExcelNumberText(-78), "-78");
  EXPECT_EQ(ExcelNumberText(0.1 + 0.2), "0.3");
  EXPECT_EQ(ExcelNumberText(1e20), "1e+20");
  EXPECT_TRUE(LooksLikeZip("PK\x03\x04rest"));
  EXPECT_FALSE(LooksLikeZip("term,county"));
}

}  // namespace
}  // namespace headcount
