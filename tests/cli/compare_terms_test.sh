#!/usr/bin/env bash
# headcount report --compare-to, end to end: the fixture as autumn 2015
# beside a spring term in which 永兴 counted its registry: 永兴 over only
# now, 旧城, 纪王场 and 程家集 over in both, 18 school-grades persisting.
# Usage: compare_terms_test.sh BIN_DIR FIXTURE_DIR
BIN=$1
FIXTURE=$2
source "$(dirname "$0")/services.sh"
hc() { "$BIN/headcount" "$@"; }

# The spring file: the same schools, 永兴 counted at its registry.
python3 - "$FIXTURE/headcounts.csv" > "$WORK/spring.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
out = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
out.writeheader()
for row in rows:
    row["term"] = "2015-spring"
    if row["district"] == "永兴":
        row["onsite_count"] = row["registry_count"]
    out.writerow(row)
PY
hc submit --ingest="$INGEST" "$WORK/spring.csv" >/dev/null
hc submit --ingest="$INGEST" "$FIXTURE/headcounts.csv" >/dev/null
wait_for_revision 2
compare() { hc report --audit="$AUDIT" --term=2015-autumn --county=利辛县 --compare-to=2015-spring "$@"; }
compare --format=tsv > "$WORK/compare.tsv"
head -n 1 "$WORK/compare.tsv" | grep -q $'^序号\t学区\t本期现场\t本期学籍\t本期差额\t本期比例\t上期现场\t上期学籍\t上期差额\t上期比例\t现场变化\t学籍变化\t差额变化\t备注$' ||
  fail "header: $(head -n 1 "$WORK/compare.tsv")"
[ "$(wc -l < "$WORK/compare.tsv")" = 29 ] || fail "27 districts and the total: $(wc -l < "$WORK/compare.tsv")"
grep -q $'\t永兴\t514\t533\t19\t0.036\t533\t533\t0\t0.000\t-19\t0\t19\t本期超标$' "$WORK/compare.tsv" ||
  fail "永兴: $(grep 永兴 "$WORK/compare.tsv")"
[ "$(grep -c $'\t连续两期超标$' "$WORK/compare.tsv")" = 3 ] || fail "persistent districts: $(cat "$WORK/compare.tsv")"
grep -q $'\t旧城\t1377\t1426\t49\t0.034\t1377\t1426\t49\t0.034\t0\t0\t0\t连续两期超标$' "$WORK/compare.tsv" ||
  fail "旧城: $(grep 旧城 "$WORK/compare.tsv")"
tail -n 1 "$WORK/compare.tsv" | grep -q $'^合计\t\t60135\t60216\t81\t0.001\t60154\t60216\t62\t0.001\t-19\t0\t19\t$' ||
  fail "total: $(tail -n 1 "$WORK/compare.tsv")"
[ "$(compare --persistent --format=tsv | tail -n +2 | wc -l)" = 18 ] || fail "18 persistent school-grades"
# (Into files: grep -q leaving early would fail the pipeline by SIGPIPE.)
compare --persistent > "$WORK/persistent.txt"
grep -q "盛黄小学" "$WORK/persistent.txt" || fail "the terminal table of persistent grades"
compare --format=json > "$WORK/compare.json"
grep -q '"persistent_grades"' "$WORK/compare.json" || fail "json"
if hc report --audit="$AUDIT" --term=2015-autumn --compare-to=2015-spring 2>"$WORK/err"; then fail "no county"; fi
grep -q -- "--compare-to needs --county" "$WORK/err" || fail "flags: $(cat "$WORK/err")"
if hc report --audit="$AUDIT" --term=2015-autumn --county=利辛县 --compare-to=2015-autumn 2>"$WORK/err" >/dev/null; then fail "the same term"; fi
grep -q "previous_term: must be another term than term" "$WORK/err" || fail "same term: $(cat "$WORK/err")"
echo PASS
