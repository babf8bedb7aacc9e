#!/usr/bin/env bash
# Corrections and retractions through the client, end to end: a file with
# one grade corrects that grade and keeps the school's others; a typo'd
# district adds a 28th row until `headcount retract` removes its school,
# and attachment 1 is the notice's again, byte for byte; a grade is
# retracted and sent again; mistakes are named.
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
