#!/usr/bin/env bash
# Corrections and retractions through the client, end to end: a file with
# one grade corrects that grade and keeps the school's others; a typo'd
# district adds a 28th row until `headcount retract` removes its school,
# and attachment 1 is the notice's again, byte for byte; a grade is
# retracted and sent again; the schools corrected after a time are listed
# (every format); mistakes are named.
# Usage: retract_test.sh BIN_DIR FIXTURE_DIR
BIN=$1
FIXTURE=$2
source "$(dirname "$0")/services.sh"
hc() { "$BIN/headcount" "$@"; }
revision_of() { sed -n 's/.*revision \([0-9]*\).*/\1/p' <<<"$1" | tail -n 1; }
table() { hc report --audit="$AUDIT" --term=2015-autumn --county=利辛县 --format=tsv; }

out=$(hc submit --ingest="$INGEST" "$FIXTURE/headcounts.csv")
wait_for_revision "$(revision_of "$out")"
table | cmp - "$FIXTURE/expected_districts.tsv" || fail "the fixture's table"
sleep 1.1  # the end of the "inspection", to the second
inspection_end=$(date -u +%Y-%m-%dT%H:%M:%SZ)
sleep 1.1

# Grade 9 of 双龙中学 alone, corrected: grades 7 and 8 stay.
{ head -n 1 "$FIXTURE/headcounts.csv"; echo "2015-autumn,利辛县,永兴,双龙中学,9,72,72"; } > "$WORK/grade9.csv"
out=$(hc submit --ingest="$INGEST" "$WORK/grade9.csv")
grep -q "1 updated" <<<"$out" || fail "grade 9 alone: $out"
wait_for_revision "$(revision_of "$out")"
hc report --audit="$AUDIT" --term=2015-autumn --county=利辛县 --district=永兴 --format=tsv |
  grep -q $'\t双龙中学\t134\t134\t0\t0.000' || fail "grades 7 and 8 must be kept: $(table)"

# Retract grade 9 (a dry run first), then send it as the notice has it.
out=$(hc retract --ingest="$INGEST" --term=2015-autumn --county=利辛县 --district=永兴 \
  --school=双龙中学 --grades=9 --dry-run)
[ "$out" = "would retract grade 9 of 利辛县/永兴/双龙中学; it keeps grades 7 and 8 (dry run: nothing stored)" ] ||
  fail "dry run: $out"
out=$(hc retract --ingest="$INGEST" --term=2015-autumn --county=利辛县 --district=永兴 \
  --school=双龙中学 --grades=9)
grep -q "^retracted grade 9 of 利辛县/永兴/双龙中学; it keeps grades 7 and 8, at revision [0-9]*$" <<<"$out" ||
  fail "grade retraction: $out"
wait_for_revision "$(revision_of "$out")"
hc report --audit="$AUDIT" --term=2015-autumn --county=利辛县 --district=永兴 --format=tsv |
  grep -q $'\t双龙中学\t62\t62\t0\t0.000' || fail "after the retraction of grade 9"
out=$(hc submit --ingest="$INGEST" "$FIXTURE/headcounts.csv")
grep -q "1 updated, 108 unchanged" <<<"$out" || fail "the fixture again: $out"
wait_for_revision "$(revision_of "$out")"
table | cmp - "$FIXTURE/expected_districts.tsv" || fail "the table after grade 9 came back"

# A misspelt district (纪王厂 for 纪王场): a 28th row, then retracted.
{ head -n 1 "$FIXTURE/headcounts.csv"; echo "2015-autumn,利辛县,纪王厂,纪王场中心校,1,40,50"; } > "$WORK/typo.csv"
out=$(hc submit --ingest="$INGEST" "$WORK/typo.csv")
wait_for_revision "$(revision_of "$out")"
[ "$(table | grep -c .)" = 30 ] || fail "the typo must add a row: $(table)"
hc alerts --audit="$AUDIT" --level=district --format=tsv | grep -q $'\t纪王厂\t' ||
  fail "the typo's district alert"
out=$(hc retract --ingest="$INGEST" --term=2015-autumn --county=利辛县 --district=纪王厂 \
  --school=纪王场中心校)
grep -q "^retracted grade 1 of 利辛县/纪王厂/纪王场中心校, the whole school, at revision [0-9]*$" <<<"$out" ||
  fail "school retraction: $out"
wait_for_revision "$(revision_of "$out")"
table | cmp - "$FIXTURE/expected_districts.tsv" || fail "attachment 1 after the retraction: $(table)"
hc alerts --audit="$AUDIT" --level=district --format=tsv | grep -q $'\t纪王厂\t' &&
  fail "the typo's district alert must be cleared"
hc alerts --audit="$AUDIT" --level=district --after=0 --format=tsv |
  grep -q $'CLEARED\tdistrict\t2015-autumn\t利辛县\t纪王厂' || fail "the clearing of 纪王厂"

# The schools corrected after the inspection: 双龙中学, three times (grade
# 9, its retraction, the fixture again); the typo'd school is gone.
hc report --audit="$AUDIT" --term=2015-autumn --county=利辛县 \
  --corrected-after="$inspection_end" --format=tsv > "$WORK/late.tsv"
head -n 1 "$WORK/late.tsv" | grep -q $'^序号\t学区\t学校\t校正次数\t首次上报\t最后校正\t提交人\t现场核查学生数\t学籍数据学生数$' ||
  fail "late corrections header: $(cat "$WORK/late.tsv")"
[ "$(wc -l < "$WORK/late.tsv")" = 2 ] || fail "one school corrected late: $(cat "$WORK/late.tsv")"
grep -Eq $'^1\t永兴\t双龙中学\t3\t20[0-9-]+ [0-9:]+\t20[0-9-]+ [0-9:]+\t\t115\t134$' "$WORK/late.tsv" ||
  fail "late corrections row: $(cat "$WORK/late.tsv")"
hc report --audit="$AUDIT" --term=2015-autumn --county=利辛县 --corrected-after="$inspection_end" --format=json |
  python3 -c 'import json,sys; r=json.load(sys.stdin); l=r["late_corrections"]; assert len(l)==1 and l[0]["corrections"]=="3", l' ||
  fail "late corrections json"
hc report --audit="$AUDIT" --term=2015-autumn --county=利辛县 --corrected-after="$inspection_end" --format=md |
  grep -Eq '^\| 1 \| 永兴 \| 双龙中学 \| 3 \| .* \| 115 \| 134 \|$' || fail "late corrections md"
hc report --audit="$AUDIT" --term=2015-autumn --county=利辛县 --corrected-after="$inspection_end" --format=html |
  grep -q '<td>双龙中学</td><td class="n">3</td>' || fail "late corrections html"
hc report --audit="$AUDIT" --term=2015-autumn --county=利辛县 --corrected-after=2099-01-01 --format=tsv |
  grep -c . | grep -qx 1 || fail "nothing corrected after 2099"
hc report --audit="$AUDIT" --term=2015-autumn --county=利辛县 --corrected-after=2015-11-15 | head -n 1 |
  grep -q "^利辛县 2015-autumn: 2015-11-15 之后校正的学校 (revision [0-9]*)$" || fail "late corrections title"
if hc report --audit="$AUDIT" --term=2015-autumn --corrected-after=11/15 2>"$WORK/err"; then
  fail "a date like 11/15 must fail"
fi
grep -q 'is neither a day like 2015-12-18 (UTC+8) nor a time' "$WORK/err" || fail "bad date: $(cat "$WORK/err")"

# Mistakes: nothing to remove, a grade it lacks, a bad list; an id again.
if hc retract --ingest="$INGEST" --term=2015-autumn --county=利辛县 --district=纪王厂 \
    --school=纪王场中心校 2>"$WORK/err"; then
  fail "a second retraction must fail"
fi
grep -q "^headcount: the ingest service refused: school: school 纪王场中心校 of 利辛县/纪王厂 has no counts in term 2015-autumn: nothing to retract" "$WORK/err" ||
  fail "nothing to retract: $(cat "$WORK/err")"
if hc retract --ingest="$INGEST" --term=2015-autumn --county=利辛县 --district=永兴 \
    --school=双龙中学 --grades=10-12 2>"$WORK/err"; then
  fail "grades it lacks must fail"
fi
grep -q "双龙中学 has no counts for grades 10, 11 and 12 (it has grades 7, 8 and 9)" "$WORK/err" ||
  fail "grades it lacks: $(cat "$WORK/err")"
if hc retract --ingest="$INGEST" --term=2015-autumn --county=利辛县 --district=永兴 \
    --school=双龙中学 --grades=9-7 2>"$WORK/err"; then
  fail "a backward range must fail"
fi
grep -q '^headcount: --grades: "9-7" runs backward$' "$WORK/err" || fail "backward: $(cat "$WORK/err")"
{ head -n 1 "$FIXTURE/headcounts.csv"; echo "2015-autumn,利辛县,城北,临时,1,1,1"; } > "$WORK/temp.csv"
hc submit --ingest="$INGEST" "$WORK/temp.csv" >/dev/null
first=$(hc retract --ingest="$INGEST" --term=2015-autumn --county=利辛县 --district=城北 \
  --school=临时 --id=undo-temp)
again=$(hc retract --ingest="$INGEST" --term=2015-autumn --county=利辛县 --district=城北 \
  --school=临时 --id=undo-temp)
[ "$again" = "$first (done before under this id)" ] || fail "the same id again: $first / $again"
echo PASS
