#!/usr/bin/env bash
# headcount regions import, end to end: the fixture's county in its city and
# province, again unchanged, one county moved; tables the ingest must refuse
# (a county in two cities, a city in two provinces, a name at two levels)
# named by line with nothing sent; the audit follows the region revisions.
# Usage: regions_test.sh BIN_DIR FIXTURE_DIR
BIN=$1
FIXTURE=$2
source "$(dirname "$0")/services.sh"
hc() { "$BIN/headcount" "$@"; }

hc submit --ingest="$INGEST" "$FIXTURE/headcounts.csv" >/dev/null
printf '县,市,省\n利辛县,亳州市,安徽省\n涡阳县,亳州市,安徽省\n临泉县,阜阳市,安徽省\n' > "$WORK/regions.csv"
out=$(hc regions import --ingest="$INGEST" --dry-run "$WORK/regions.csv")
grep -q '^3 counties \[UTF-8\]: 3 added, 0 changed, 0 unchanged (dry run: nothing stored)$' <<<"$out" || fail "dry run: $out"
out=$(hc regions import --ingest="$INGEST" "$WORK/regions.csv")
grep -q '^3 counties \[UTF-8\]: 3 added, 0 changed, 0 unchanged, at revision 2$' <<<"$out" || fail "import: $out"
out=$(hc regions import --ingest="$INGEST" "$WORK/regions.csv")
grep -q '^3 counties \[UTF-8\]: 0 added, 0 changed, 3 unchanged$' <<<"$out" || fail "again: $out"
printf 'county,city,province\n涡阳县,阜阳市,安徽省\n' > "$WORK/move.csv"
out=$(hc regions import --ingest="$INGEST" "$WORK/move.csv")
grep -q '^1 counties \[UTF-8\]: 0 added, 1 changed, 0 unchanged, at revision 3$' <<<"$out" || fail "move: $out"
wait_for_revision 3  # the audit applied the region revisions

# The province's table by city, a city's by county (涡阳县 counted nothing).
hc report --audit="$AUDIT" --term=2015-autumn --province=安徽省 --format=tsv > "$WORK/province.tsv"
[ "$(cat "$WORK/province.tsv")" = "$(printf '序号\t市\t现场核查学生数\t学籍数据学生数\t差额人数\t差额比例\n1\t亳州市\t60135\t60216\t81\t0.001\n合计\t\t60135\t60216\t81\t0.001')" ] ||
  fail "province: $(cat "$WORK/province.tsv")"
hc report --audit="$AUDIT" --term=2015-autumn --province=安徽省 --city=亳州市 --format=tsv > "$WORK/city.tsv"
grep -q $'^1\t利辛县\t60135\t60216\t81\t0.001$' "$WORK/city.tsv" || fail "city: $(cat "$WORK/city.tsv")"
# Open alerts by the region table now: 利辛县's four districts.
[ "$(hc alerts --audit="$AUDIT" --province=安徽省 --city=亳州市 --level=district --format=tsv | tail -n +2 | wc -l)" = 4 ] ||
  fail "alerts of 亳州市: $(hc alerts --audit="$AUDIT" --province=安徽省 --city=亳州市 --level=district --format=tsv)"
[ "$(hc alerts --audit="$AUDIT" --province=安徽省 --city=阜阳市 --format=tsv | tail -n +2 | wc -l)" = 0 ] || fail "alerts of 阜阳市"
if hc report --audit="$AUDIT" --term=2015-autumn --province=河南省 2>"$WORK/err"; then fail "an empty province"; fi
grep -q "NOT_FOUND" "$WORK/err" || grep -q "nothing counted in 河南省" "$WORK/err" || fail "河南省: $(cat "$WORK/err")"

printf '县,市,省\n利辛县,亳州市,安徽省\n利辛县,阜阳市,安徽省\n亳州市,合肥市,安徽省\n颍上县,阜阳市,河南省\n' > "$WORK/bad.csv"
if hc regions import --ingest="$INGEST" "$WORK/bad.csv" 2>"$WORK/err"; then fail "a bad table must fail"; fi
grep -q 'bad.csv:3: county: 利辛县 is given twice (regions\[0\]: 亳州市, 安徽省); a county lies in one city$' "$WORK/err" ||
  fail "a county in two cities: $(cat "$WORK/err")"
grep -q 'bad.csv:5: province: city 阜阳市 is in 安徽省 (regions\[1\]) and in 河南省; a city lies in one province$' "$WORK/err" ||
  fail "a city in two provinces: $(cat "$WORK/err")"
grep -q 'bad.csv:[0-9]*: [a-z]*: 亳州市 is named as a county and a city; each level needs its own names (no loops)$' "$WORK/err" ||
  fail "a loop: $(cat "$WORK/err")"
grep -q 'nothing sent$' "$WORK/err" || fail "summary: $(cat "$WORK/err")"
# The same against the stored table, through the server: 阜阳市 is in 安徽省.
printf 'county,city,province\n颍上县,阜阳市,河南省\n' > "$WORK/stored.csv"
if hc regions import --ingest="$INGEST" "$WORK/stored.csv" 2>"$WORK/err"; then fail "a city moved to another province must fail"; fi
grep -q 'INVALID_ARGUMENT.*regions\[0\].province: city 阜阳市 is in 安徽省 (as stored) and in 河南省' "$WORK/err" ||
  grep -q 'regions\[0\].province: city 阜阳市 is in 安徽省 (as stored) and in 河南省' "$WORK/err" ||
  fail "against the stored table: $(cat "$WORK/err")"
out=$(hc regions import --ingest="$INGEST" "$WORK/regions.csv")
grep -q ': 0 added, 1 changed, 2 unchanged, at revision 4$' <<<"$out" || fail "nothing of the refusals stored: $out"
echo PASS
