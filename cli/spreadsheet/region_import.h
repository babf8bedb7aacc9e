// Where counties lie, as a province keeps it in a spreadsheet: one row per
// county with its city and province.
#ifndef HEADCOUNT_CLI_SPREADSHEET_REGION_IMPORT_H_
#define HEADCOUNT_CLI_SPREADSHEET_REGION_IMPORT_H_

#include <vector>

#include "absl/status/statusor.h"
#include "cli/spreadsheet/sheet_import.h"
#include "headcount/v1/ingest.pb.h"

namespace headcount {

struct RegionImport {
  // Every good row; submission_id left for the caller.
  v1::PutRegionsRequest request;
  int rows = 0;  // data rows read
  std::vector<RowProblem> problems;
};

// Reads `rows`: the header names county, city, province (or 县, 市, 省) as
// FindSheetHeader finds it. A row with a bad name, or a table the server
// would refuse (a county twice, a city in two provinces, a name at two
// levels), is listed in `problems` by line. INVALID_ARGUMENT when no row is
// a header.
absl::StatusOr<RegionImport> ImportRegionRows(std::vector<SheetRow> rows);

}  // namespace headcount

#endif  // HEADCOUNT_CLI_SPREADSHEET_REGION_IMPORT_H_
