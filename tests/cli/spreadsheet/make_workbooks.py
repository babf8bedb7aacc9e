#!/usr/bin/python3
"""Writes the Excel files the spreadsheet tests submit, from the fixture's
CSV, as district offices keep them: a title row above the header, a 序号
column, header cells with a space or a line break, grades written 一年级,
初一, 高一, counts as numbers.

Usage: make_workbooks.py FIXTURE.csv OUT_DIR
Writes OUT_DIR/headcounts.xlsx (openpyxl), OUT_DIR/headcounts.xls (xlwt),
OUT_DIR/two_sheets.xlsx (a notes sheet first, 城北's rows on sheet 城北).
Needs Debian's python3-openpyxl and python3-xlwt (run with /usr/bin/python3).
"""
import csv
import sys

import openpyxl
import xlwt

GRADE_NAMES = {1: "一年级", 2: "二年级", 3: "三年级", 4: "四年级", 5: "五年级",
               6: "六年级", 7: "初一", 8: "初二", 9: "初三", 10: "高一",
               11: "高二", 12: "高三"}
TITLE = "利辛县2015年秋季学籍现场核查上报表"
HEADER = ["序号", "学期", "县", "学区", "学校", "年级", "现场核查\n学生数",
          "学籍数据 学生数"]
NOTES = [["说明"], ["本表由各学区填报，核查日期 2015年10月"]]


def rows_of(path):
    with open(path, encoding="utf-8") as f:
        reader = csv.DictReader(f)
        for i, r in enumerate(reader, 1):
            yield [i, r["term"], r["county"], r["district"], r["school"],
                   GRADE_NAMES[int(r["grade"])], int(r["onsite_count"]),
                   int(r["registry_count"])]


def fill_xlsx(sheet, rows):
    sheet.append([TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1,
                      end_column=len(HEADER))
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)


def main(fixture, out):
    rows = list(rows_of(fixture))

    book = openpyxl.Workbook()
    book.active.title = "学区上报"
    fill_xlsx(book.active, rows)
    notes = book.create_sheet("说明")
    for line in NOTES:
        notes.append(line)
    book.save(f"{out}/headcounts.xlsx")

    book = openpyxl.Workbook()
    book.active.title = "说明"
    for line in NOTES:
        book.active.append(line)
    fill_xlsx(book.create_sheet("城北"), [r for r in rows if r[3] == "城北"])
    book.save(f"{out}/two_sheets.xlsx")

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("学区上报")
    sheet.write_merge(0, 0, 0, len(HEADER) - 1, TITLE)
    for r, row in enumerate([HEADER] + rows, 1):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(f"{out}/headcounts.xls")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
