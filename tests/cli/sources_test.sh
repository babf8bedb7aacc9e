#!/usr/bin/env bash
# headcount submit/report --source and report --compare-sources, end to
# end: the fixture as the county's inspection, and a self-check by 永兴
# (every registered student claimed present) and 王市 (the inspection's
# counts). The published table stays the notice's; the self-check has its
# own table; the comparison flags exactly the 永兴 grades whose self-check
# exceeds the inspection by more than 2% (counted here from the fixture).
# Usage: sources_test.sh BIN_DIR FIXTURE_DIR
BIN=$1
FIXTURE=$2
source "$(dirname "$0")/services.sh"
hc() { "$BIN/headcount" "$@"; }

python3 - "$FIXTURE/headcounts.csv" "$WORK/self.csv" > "$WORK/expected" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
out = csv.DictWriter(open(sys.argv[2], "w", encoding="utf-8"),
                     fieldnames=list(rows[0]), lineterminator="\n")
out.writeheader()
compared = flagged = 0
for row in rows:
    if row["district"] not in ("永兴", "王市"):
        continue
    found = int(row["onsite_count"])
    if row["district"] == "永兴":
        row["onsite_count"] = row["registry_count"]
    claimed = int(row["onsite_count"])
    compared += 1
    if abs(claimed - found) * 50 > claimed:
        flagged += 1
    out.writerow(row)
print(compared, flagged)
PY
read -r COMPARED FLAGGED < "$WORK/expected"
[ "$FLAGGED" -gt 0 ] || fail "the fixture should give flagged grades"

hc submit --ingest="$INGEST" "$FIXTURE/headcounts.csv" >/dev/null
hc submit --ingest="$INGEST" --source=self-check "$WORK/self.csv" >/dev/null
wait_for_revision 2
report() { hc report --audit="$AUDIT" --term=2015-autumn --county=利辛县 "$@"; }

# The published table is the inspection's.
report --format=tsv > "$WORK/published.tsv"
tail -n 1 "$WORK/published.tsv" | grep -q $'^合计\t\t60135\t60216\t81\t0.001' ||
  fail "published total: $(tail -n 1 "$WORK/published.tsv")"
# The self-check's own table: two districts, 永兴 without a difference.
report --source=self-check --format=tsv > "$WORK/self.tsv"
[ "$(wc -l < "$WORK/self.tsv")" = 4 ] || fail "self-check rows: $(cat "$WORK/self.tsv")"
grep -q $'^2\t永兴\t533\t533\t0\t0.000$' "$WORK/self.tsv" || fail "永兴 self-check: $(cat "$WORK/self.tsv")"
report --source=self-check > "$WORK/self.txt"
grep -q "学区自查" "$WORK/self.txt" || fail "the title says self-check: $(head -n 2 "$WORK/self.txt")"

# The comparison.
report --compare-sources --format=tsv > "$WORK/compare.tsv"
head -n 1 "$WORK/compare.tsv" | grep -q $'^序号\t学区\t学校\t年级\t自查现场\t自查学籍\t抽查现场\t抽查学籍\t差额人数\t差额比例\t备注$' ||
  fail "header: $(head -n 1 "$WORK/compare.tsv")"
[ "$(tail -n +2 "$WORK/compare.tsv" | wc -l)" = "$COMPARED" ] || fail "compared grades: $(wc -l < "$WORK/compare.tsv") vs $COMPARED"
[ "$(grep -c $'\t自查多于抽查$' "$WORK/compare.tsv")" = "$FLAGGED" ] || fail "flagged: $(grep -c 自查多于抽查 "$WORK/compare.tsv") vs $FLAGGED"
report --compare-sources --flagged --district=永兴 --format=tsv > "$WORK/flagged.tsv"
[ "$(tail -n +2 "$WORK/flagged.tsv" | wc -l)" = "$FLAGGED" ] || fail "--flagged: $(cat "$WORK/flagged.tsv")"
if grep -q $'\t王市\t' "$WORK/flagged.tsv"; then fail "王市 agrees with the inspection"; fi

# Retracting one school's self-check leaves its inspection.
SCHOOL=$(awk -F'\t' 'NR == 2 { print $3 }' "$WORK/flagged.tsv")
hc retract --ingest="$INGEST" --term=2015-autumn --county=利辛县 --district=永兴 \
  --school="$SCHOOL" --source=self-check >/dev/null || fail "retract the self-check of $SCHOOL"
wait_for_revision 3
report --compare-sources --format=tsv > "$WORK/after.tsv"
if grep -q $'\t'"$SCHOOL"$'\t' "$WORK/after.tsv"; then fail "$SCHOOL still compared"; fi
report --format=tsv > "$WORK/published2.tsv"
cmp -s "$WORK/published.tsv" "$WORK/published2.tsv" || fail "the published table changed"

if report --compare-sources --source=self-check 2>"$WORK/err" >/dev/null; then fail "--compare-sources with --source"; fi
grep -q -- "--compare-sources needs --county" "$WORK/err" || fail "flags: $(cat "$WORK/err")"
if hc submit --ingest="$INGEST" --source=自查 "$WORK/self.csv" 2>"$WORK/err" >/dev/null; then fail "an unknown source"; fi
grep -q -- "--source" "$WORK/err" || fail "unknown source: $(cat "$WORK/err")"
echo PASS
