#!/usr/bin/env bash
# The notice drafted from the fixture against the notice itself
# (../shared/seed): the basic-situation figures, the districts over 2% in
# the notice's order (descending ratio) and the set of flagged
# school-grades must equal what the bureau wrote, read from the seed's text,
# not from our own output. Then attachment 2 (report --schools): every
# school once, each district's 小计 equal to its row of attachment 1, in
# TSV, Markdown, HTML and xlsx.
# Usage: notice_test.sh BIN_DIR FIXTURE_DIR
BIN=$1
FIXTURE=$2
SEED="$FIXTURE/../../seed/lixin-2015-autumn-notice.txt"
source "$(dirname "$0")/services.sh"
hc() { "$BIN/headcount" "$@"; }
[ -f "$SEED" ] || fail "no seed at $SEED"

hc submit --ingest="$INGEST" "$FIXTURE/headcounts.csv" >/dev/null
wait_for_revision 1
report() { hc report --audit="$AUDIT" --term=2015-autumn --county=利辛县 "$@"; }
report --format=notice > "$WORK/notice.txt"
report --format=notice-md > "$WORK/notice.md"
report --format=notice-html > "$WORK/notice.html"

# The findings of a notice's text: figures, districts, school-grades.
cat > "$WORK/findings.py" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r"共现场学籍核查(\d+)所学校和教学点，现场核查学生(\d+)人，"
              r"对应电子学籍数为(\d+)人，学籍差额比例为(-?[\d.]+)%", text)
print("figures", *m.groups())
m = re.search(r"学籍差额较大的学区为：([^，]+)，", text)
print("districts", *[d.removesuffix("学区")
                     for d in re.split(r"、|和", m.group(1))])
m = re.search(r"各年级差额率问题较大的有：([^。]+)。", text)
numerals = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
            "八": 8, "九": 9, "十": 10, "十一": 11, "十二": 12}
grades = []
for item in m.group(1).split("、"):
    g = re.fullmatch(r"(?:.+?学区)?(.+?)([一二三四五六七八九十]+)年级", item)
    grades.append(f"{g.group(1)}:{numerals[g.group(2)]}")
print("grades", len(grades), *sorted(grades))
PY
python3 "$WORK/findings.py" "$SEED" > "$WORK/seed.findings" || fail "cannot read the seed"
grep -q "^figures 109 60135 60216 0.13$" "$WORK/seed.findings" || fail "seed figures: $(cat "$WORK/seed.findings")"
grep -q "^grades 19 " "$WORK/seed.findings" || fail "seed grades: $(cat "$WORK/seed.findings")"
for draft in notice.txt notice.md notice.html; do
  python3 "$WORK/findings.py" "$WORK/$draft" > "$WORK/$draft.findings" ||
    fail "$draft has no findings: $(head -n 20 "$WORK/$draft")"
  diff "$WORK/seed.findings" "$WORK/$draft.findings" >&2 ||
    fail "$draft's findings differ from the notice's"
done

# Attachment 1 in the draft, byte for byte as the fixture's expectation.
grep -q '^附件1：利辛县2015年秋季学籍管理数据核查情况表（学区）$' "$WORK/notice.txt" || fail "attachment 1 title"
sed -n '/^附件1：/,/^合计/p' "$WORK/notice.txt" | sed '1,2d' | cut -f1-6 > "$WORK/a1.tsv"
tail -n +2 "$FIXTURE/expected_districts.tsv" | cut -f1-6 | diff - "$WORK/a1.tsv" >&2 || fail "attachment 1 in the draft"
grep -q '<table id="attachment2">' "$WORK/notice.html" || fail "attachment 2 in the html draft"

# Attachment 2: 109 schools, 27 subtotals equal to attachment 1's rows.
report --schools --format=tsv > "$WORK/schools.tsv"
head -n 1 "$WORK/schools.tsv" | grep -q $'^序号\t学区\t学校\t现场核查学生数\t学籍数据学生数\t差额人数\t差额比例$' ||
  fail "attachment 2 header: $(head -n 1 "$WORK/schools.tsv")"
[ "$(grep -c $'^[0-9]' "$WORK/schools.tsv")" = 109 ] || fail "109 schools"
grep $'^小计\t' "$WORK/schools.tsv" | cut -f2,4-7 > "$WORK/subtotals"
tail -n +2 "$FIXTURE/expected_districts.tsv" | grep -v '^合计' | cut -f2-6 | diff - "$WORK/subtotals" >&2 ||
  fail "subtotals against attachment 1"
tail -n 1 "$WORK/schools.tsv" | grep -q $'^合计\t\t\t60135\t60216\t81\t0.001$' || fail "total: $(tail -n 1 "$WORK/schools.tsv")"
# Numbered through, in attachment 1's district order.
[ "$(grep $'^[0-9]' "$WORK/schools.tsv" | cut -f1 | tr '\n' ' ')" = "$(seq -s ' ' 109) " ] || fail "numbering"
report --schools --format=md | grep -c '^| \*\*小计\*\* |' | grep -qx 27 || fail "markdown subtotals"
report --schools --format=html | grep -cE '<tr class="(over )?total">' | grep -qx 28 || fail "html subtotals and total"
report --schools --format=xlsx --output="$WORK/schools.xlsx"
if /usr/bin/python3 -c 'import openpyxl' 2>/dev/null; then
  /usr/bin/python3 - "$WORK/schools.xlsx" <<'PY' || fail "attachment 2 workbook"
import sys, openpyxl
sheet = openpyxl.load_workbook(sys.argv[1]).active
rows = list(sheet.iter_rows(values_only=True))
assert rows[0][0] == "利辛县2015年秋季学籍管理数据核查情况表（学校）", rows[0]
assert rows[1][:3] == ("序号", "学区", "学校"), rows[1]
assert sum(1 for r in rows if r[0] == "小计") == 27
assert rows[-1][0] == "合计" and rows[-1][3:6] == (60135, 60216, 81), rows[-1]
PY
else
  echo "python3-openpyxl missing: the workbook is only checked to exist" >&2
  [ -s "$WORK/schools.xlsx" ] || fail "no workbook"
fi
if report --format=notice >/dev/null 2>"$WORK/err" --district=永兴; then fail "notice with --district"; fi
grep -q -- "--format=notice needs --county, without --district" "$WORK/err" || fail "notice flags: $(cat "$WORK/err")"
echo PASS
