#!/usr/bin/env bash
# End to end: Excel files in and out through the headcount client, against
# both services on loopback. The workbooks are made here from the fixture
# (tests/cli/spreadsheet/make_workbooks.py, Debian's openpyxl and xlwt);
# the report's workbook is read back with openpyxl.
# Usage: spreadsheet_e2e_test.sh BIN_DIR FIXTURE_DIR
BIN=$1
FIXTURE=$2
PY=/usr/bin/python3
if ! "$PY" -c 'import openpyxl, xlwt' 2>/dev/null; then
  echo "SKIP: $PY has no openpyxl or xlwt (apt-get install python3-openpyxl python3-xlwt)"
  exit 77
fi
source "$(dirname "$0")/services.sh"
hc() { "$BIN/headcount" "$@"; }
"$PY" "$(dirname "$0")/spreadsheet/make_workbooks.py" "$FIXTURE/headcounts.csv" "$WORK"

# The fixture's 578 rows as .xlsx: title row, 序号, wrapped headers, 初一.
out=$(hc submit --ingest="$INGEST" "$WORK/headcounts.xlsx") || fail "xlsx submit"
grep -q "^109 schools (578 rows) from 1 file \[xlsx\]: 109 created, 0 updated, 0 unchanged; revision 1$" <<<"$out" ||
  fail "xlsx summary: $out"
wait_for_revision 1
hc report --audit="$AUDIT" --term=2015-autumn --format=tsv > "$WORK/from_xlsx.tsv"
cmp "$WORK/from_xlsx.tsv" "$FIXTURE/expected_districts.tsv" || fail "the xlsx's table differs from attachment 1"
# The same counts as .xls (BIFF8) and as the CSV: nothing changes.
out=$(hc submit --ingest="$INGEST" "$WORK/headcounts.xls") || fail "xls submit"
grep -q "^109 schools (578 rows) from 1 file \[xls\]: 0 created, 0 updated, 109 unchanged" <<<"$out" ||
  fail "xls summary: $out"
out=$(hc submit --ingest="$INGEST" "$FIXTURE/headcounts.csv")
grep -q "109 unchanged" <<<"$out" || fail "csv after xlsx: $out"

# --sheet: the first sheet is notes; name the one with the counts.
if hc submit --ingest="$INGEST" "$WORK/two_sheets.xlsx" 2>"$WORK/err"; then fail "a notes sheet must fail"; fi
grep -q "two_sheets.xlsx: line 1: the header has no column term (学期)" "$WORK/err" ||
  fail "notes sheet: $(cat "$WORK/err")"
if hc submit --ingest="$INGEST" --sheet=城南 "$WORK/two_sheets.xlsx" 2>"$WORK/err"; then fail "unknown sheet"; fi
grep -q 'two_sheets.xlsx: --sheet: the workbook has no sheet "城南"; its sheets are 说明, 城北$' "$WORK/err" ||
  fail "unknown sheet: $(cat "$WORK/err")"
out=$(hc submit --ingest="$INGEST" --sheet=城北 "$WORK/two_sheets.xlsx") || fail "--sheet=城北"
grep -q "^6 schools (29 rows) from 1 file \[xlsx\]: 0 created, 0 updated, 6 unchanged" <<<"$out" ||
  fail "--sheet summary: $out"
if hc submit --ingest="$INGEST" --sheet=城北 "$FIXTURE/headcounts.csv" 2>"$WORK/err"; then fail "--sheet on csv"; fi
grep -q "headcounts.csv: --sheet: this is CSV or TSV text, which has no sheets" "$WORK/err" ||
  fail "--sheet on csv: $(cat "$WORK/err")"

# Files that only look like workbooks: a CSV named .xls is read as text (as
# systems that export "Excel" write it); garbage named .xlsx says what it is.
cp "$FIXTURE/headcounts.gbk.csv" "$WORK/export.xls"
out=$(hc submit --ingest="$INGEST" "$WORK/export.xls") || fail "text named .xls"
grep -q "109 unchanged" <<<"$out" || fail "text named .xls: $out"
head -c 3000 /dev/urandom > "$WORK/broken.xlsx"
if hc submit --ingest="$INGEST" "$WORK/broken.xlsx" 2>"$WORK/err"; then fail "garbage .xlsx"; fi
grep -q "broken.xlsx: not an Excel workbook (neither a zip archive nor an OLE2 file)" "$WORK/err" ||
  fail "garbage .xlsx: $(cat "$WORK/err")"
head -c 2000 "$WORK/headcounts.xlsx" > "$WORK/cut.xlsx"
if hc submit --ingest="$INGEST" "$WORK/cut.xlsx" 2>"$WORK/err"; then fail "truncated .xlsx"; fi
grep -q "cut.xlsx: not a readable .xlsx workbook (the zip archive: " "$WORK/err" ||
  fail "truncated .xlsx: $(cat "$WORK/err")"

# Reports out as Excel: to a file, and to standard output.
hc report --audit="$AUDIT" --term=2015-autumn --county=利辛县 --format=xlsx --output="$WORK/report.xlsx" ||
  fail "report --format=xlsx --output"
hc report --audit="$AUDIT" --term=2015-autumn --county=利辛县 --format=xlsx > "$WORK/stdout.xlsx" ||
  fail "report --format=xlsx to stdout"
hc report --audit="$AUDIT" --term=2015-autumn --county=利辛县 --district=纪王场 --format=xlsx \
  --output="$WORK/district.xlsx" || fail "district xlsx"
"$PY" - "$WORK" "$FIXTURE/expected_districts.tsv" <<'PY' || fail "the report's workbook"
import sys
import openpyxl
work, expected_tsv = sys.argv[1], sys.argv[2]

def shown(cell):
    """The cell as Excel shows it: numbers through their format."""
    if isinstance(cell.value, (int, float)):
        decimals = cell.number_format.split(".")[1].count("0") if "." in cell.number_format else 0
        return f"{cell.value:.{decimals}f}"
    return "" if cell.value is None else cell.value

expected = [line.rstrip("\n").split("\t") for line in open(expected_tsv, encoding="utf-8")]
for name in ("report.xlsx", "stdout.xlsx"):
    book = openpyxl.load_workbook(f"{work}/{name}")
    sheet = book.worksheets[0]
    assert sheet.title == "学区", sheet.title
    assert sheet["A1"].value == "利辛县2015年秋季学籍管理数据核查情况表（学区）", sheet["A1"].value
    assert "A1:G1" in [str(r) for r in sheet.merged_cells.ranges], sheet.merged_cells.ranges
    assert sheet.freeze_panes == "A3", sheet.freeze_panes
    rows = [[shown(c) for c in row] for row in sheet.iter_rows(min_row=2)]
    assert rows[0] == expected[0] + ["备注"], rows[0]
    assert [r[:6] for r in rows] == expected, "cells differ from attachment 1"
    flagged = sorted(r[1] for r in rows[1:] if r[6])
    assert flagged == sorted(["程家集", "纪王场", "旧城", "永兴"]), flagged
    assert all(r[6] == "超过2%" for r in rows[1:] if r[6])
    assert rows[-1][0] == "合计" and rows[-1][2] == "60135" and rows[-1][3] == "60216", rows[-1]
    assert isinstance(sheet["C3"].value, int) and isinstance(sheet["F3"].value, float), "counts and ratios are numbers"
    assert sheet.column_dimensions["C"].width >= 8, sheet.column_dimensions["C"].width
    assert book.properties.title == sheet["A1"].value, book.properties.title
district = openpyxl.load_workbook(f"{work}/district.xlsx").worksheets[0]
assert district.title == "学校" and district["A1"].value == "利辛县纪王场学区2015年秋季学籍管理数据核查情况表（学校）", district["A1"].value
assert district.cell(row=district.max_row, column=1).value == "合计"
assert district.cell(row=district.max_row, column=3).value == 1450
PY
# A workbook is not written to a terminal.
script -qec "'$BIN/headcount' report --audit=$AUDIT --term=2015-autumn --county=利辛县 --format=xlsx" "$WORK/tty.txt" >/dev/null &&
  fail "xlsx to a terminal must fail"
grep -q "writes a binary workbook; pass --output=FILE.xlsx" "$WORK/tty.txt" || fail "xlsx to a terminal: $(cat "$WORK/tty.txt")"
# An --output that cannot be written says why and leaves nothing behind.
if hc report --audit="$AUDIT" --term=2015-autumn --county=利辛县 --format=csv --output="$WORK/nosuch/r.csv" 2>"$WORK/err"; then
  fail "unwritable --output"
fi
grep -q "cannot write $WORK/nosuch/r.csv: No such file or directory" "$WORK/err" || fail "unwritable: $(cat "$WORK/err")"
hc report --audit="$AUDIT" --term=2015-autumn --county=利辛县 --format=csv --bom --output="$WORK/bom.csv"
cmp <(printf '\xEF\xBB\xBF'; hc report --audit="$AUDIT" --term=2015-autumn --county=利辛县 --format=csv) "$WORK/bom.csv" ||
  fail "--output with --bom"
[ -z "$(ls "$WORK" | grep partial)" ] || fail "a partial file was left: $(ls "$WORK")"
echo PASS
