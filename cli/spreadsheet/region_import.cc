#include "cli/spreadsheet/region_import.h"

#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/domain/validation.h"

namespace headcount {
namespace {

enum Column { kCounty, kCity, kProvince };

}  // namespace

absl::StatusOr<RegionImport> ImportRegionRows(std::vector<SheetRow> rows) {
  absl::StatusOr<SheetHeader> header = FindSheetHeader(
      rows, {{"county", "县"}, {"city", "市"}, {"province", "省"}});
  if (!header.ok()) return header.status();
  RegionImport result;
  std::vector<int> lines;  // per request entry
  for (size_t r = header->row + 1; r < rows.size(); ++r) {
    const SheetRow& row = rows[r];
    if (BlankRow(row)) continue;
    ++result.rows;
    if (row.cells.size() < header->size) {
      result.problems.push_back(
          {row.line, "row",
           absl::StrCat("has ", row.cells.size(), " fields, the header ",
                        header->size),
           ""});
      continue;
    }
    v1::Region* region = result.request.add_regions();
    region->set_county(row.cells[header->index[kCounty]]);
    region->set_city(row.cells[header->index[kCity]]);
    region->set_province(row.cells[header->index[kProvince]]);
    lines.push_back(row.line);
  }
  // The server's rules, each named by the line it is about:
  // "regions[3].city" -> line of entry 3, field city.
  for (const FieldViolation& v :
       CheckRegions(result.request.regions(), {})) {
    int index = -1;
    const size_t open = v.field.find('['), close = v.field.find("].");
    if (open != std::string::npos && close != std::string::npos) {
      (void)absl::SimpleAtoi(v.field.substr(open + 1, close - open - 1),
                             &index);
    }
    result.problems.push_back(
        {index >= 0 && index < static_cast<int>(lines.size()) ? lines[index]
                                                              : 0,
         close == std::string::npos ? v.field : v.field.substr(close + 2),
         v.description, ""});
  }
  return result;
}

}  // namespace headcount
