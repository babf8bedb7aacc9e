// A report as an Excel workbook (.xlsx), laid out as the notice's
// attachment: title row, header, one row per district or school, 合计, and
// 备注 naming the rows over the threshold. Written with libxlsxwriter.
#ifndef HEADCOUNT_CLI_OUTPUT_XLSX_WORKBOOK_H_
#define HEADCOUNT_CLI_OUTPUT_XLSX_WORKBOOK_H_

#include <string>

#include "absl/status/statusor.h"
#include "cli/output/report_table.h"

namespace headcount::cli {

// The bytes of an .xlsx file holding `table` on one sheet named after its
// rows (学区 or 学校): row 1 the title (ReportTable::notice_title) across
// the columns, row 2 the attachment's headings, then the rows and 合计.
// Counts and ratios are numbers, formatted to show exactly the text of the
// TSV (0.033, not 0.0330000); over-threshold rows are shaded; columns are
// sized for Chinese text; the top two rows stay in view when scrolling.
// The document's properties carry the title and the revision. INTERNAL
// when the temporary file libxlsxwriter writes cannot be written.
absl::StatusOr<std::string> ReportWorkbook(const ReportTable& table);

}  // namespace headcount::cli

#endif  // HEADCOUNT_CLI_OUTPUT_XLSX_WORKBOOK_H_
