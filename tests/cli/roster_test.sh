#!/usr/bin/env bash
# headcount roster import, end to end: the fixture's 109 schools as a
# roster (made here from its headcounts, grades as ranges and lists),
# again unchanged; a misspelt district refused with the roster's name; one
# district's part from a GBK file with a school dropped; the mistakes of a
# roster file named with nothing sent.
# Usage: roster_test.sh BIN_DIR FIXTURE_DIR
BIN=$1
FIXTURE=$2
# The inspection's deadline long past: incomplete districts alert at once.
AUDIT_FLAGS=(--coverage_deadline=2015-autumn=2015-12-18)
source "$(dirname "$0")/services.sh"
hc() { "$BIN/headcount" "$@"; }

# The roster: one row per school, its grades as "1-6" when contiguous.
python3 - "$FIXTURE/headcounts.csv" > "$WORK/roster.csv" <<'PY'
import csv, sys
schools = {}
for row in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    key = (row["term"], row["county"], row["district"], row["school"])
    schools.setdefault(key, []).append(int(row["grade"]))
print("学期,县,学区,学校,年级")
for (term, county, district, school), grades in schools.items():
    grades.sort()
    text = (f"{grades[0]}-{grades[-1]}" if grades == list(range(grades[0], grades[-1] + 1))
            and len(grades) > 1 else "、".join(map(str, grades)))
    print(f'{term},{county},{district},{school},"{text}"')
PY
[ "$(wc -l < "$WORK/roster.csv")" = 110 ] || fail "roster file: $(wc -l < "$WORK/roster.csv") lines"

out=$(hc roster import --ingest="$INGEST" "$WORK/roster.csv")
grep -q "^利辛县 2015-autumn: 109 schools \[UTF-8\]: 109 added, 0 changed, 0 removed, 0 unchanged, at revision 1$" <<<"$out" ||
  fail "first import: $out"
out=$(hc roster import --ingest="$INGEST" "$WORK/roster.csv")
grep -q "^利辛县 2015-autumn: 109 schools \[UTF-8\]: 0 added, 0 changed, 0 removed, 109 unchanged$" <<<"$out" ||
  fail "the same roster again: $out"

# Past the deadline with a roster and no counts: every district alerts.
for _ in $(seq 100); do
  [ "$(hc alerts --audit="$AUDIT" --level=district --format=tsv | grep -c '未全部上报')" = 27 ] && break
  sleep 0.1
done
hc alerts --audit="$AUDIT" --level=district --format=tsv > "$WORK/coverage_alerts.tsv"
grep -q $'\t永兴\t.*\t未全部上报：学校 0/4，年级 0/19\t' "$WORK/coverage_alerts.tsv" ||
  fail "coverage alerts: $(hc alerts --audit="$AUDIT" --level=district --format=tsv)"

# With the roster, a misspelt district is refused with the roster's name;
# the fixture's schools are all on it.
{ head -n 1 "$FIXTURE/headcounts.csv"; echo "2015-autumn,利辛县,纪王厂,纪王场中心校,1,40,50"; } > "$WORK/typo.csv"
if hc submit --ingest="$INGEST" "$WORK/typo.csv" >/dev/null 2>"$WORK/err"; then fail "a district not on the roster must fail"; fi
grep -q "district 纪王厂 is not on the roster of 利辛县 for 2015-autumn; did you mean 纪王场?" "$WORK/err" ||
  fail "not on the roster: $(cat "$WORK/err")"
out=$(hc submit --ingest="$INGEST" "$FIXTURE/headcounts.csv")
grep -q "109 created" <<<"$out" || fail "the fixture with its roster: $out"
wait_for_revision "$(sed -n 's/.*revision \([0-9]*\).*/\1/p' <<<"$out")"

# Counted in full: the coverage alerts cleared.
[ "$(hc alerts --audit="$AUDIT" --level=district --format=tsv | grep -c '未全部上报' || true)" = 0 ] ||
  fail "coverage alerts left: $(hc alerts --audit="$AUDIT" --level=district --format=tsv)"

# Coverage: every school and grade of the roster counted.
coverage() { hc report --audit="$AUDIT" --term=2015-autumn --county=利辛县 --coverage "$@"; }
coverage --format=tsv > "$WORK/coverage.tsv"
head -n 1 "$WORK/coverage.tsv" | grep -q $'^序号\t学区\t应报学校\t已报学校\t应报年级\t已报年级\t覆盖率\t未报学校\t缺报年级\t名册外学校$' ||
  fail "coverage header: $(head -n 1 "$WORK/coverage.tsv")"
[ "$(wc -l < "$WORK/coverage.tsv")" = 29 ] || fail "27 districts and the total: $(cat "$WORK/coverage.tsv")"
tail -n 1 "$WORK/coverage.tsv" | grep -q $'^合计\t\t109\t109\t578\t578\t100.0%\t\t\t$' ||
  fail "full coverage: $(tail -n 1 "$WORK/coverage.tsv")"
coverage --format=json | python3 -c 'import json,sys; r=json.load(sys.stdin); assert r["total"]["schools_reported"]==109, r["total"]' ||
  fail "coverage json"
coverage | head -n 1 | grep -q "^利辛县 2015-autumn 覆盖情况 (revision 2)$" || fail "coverage title"

# 永兴's part, in GBK, without one school and with another grade list.
{ head -n 1 "$WORK/roster.csv"; grep ',永兴,' "$WORK/roster.csv" | sed '1d; s/,双龙中学,.*$/,双龙中学,"7,8"/'; } |
  iconv -f UTF-8 -t GBK > "$WORK/yongxing.gbk.csv"
out=$(hc roster import --ingest="$INGEST" --district=永兴 --dry-run "$WORK/yongxing.gbk.csv")
grep -q "^利辛县/永兴 2015-autumn: [0-9]* schools \[GBK\]: 0 added, 1 changed, 1 removed, [0-9]* unchanged (dry run: nothing stored)$" <<<"$out" ||
  fail "district dry run: $out"
out=$(hc roster import --ingest="$INGEST" --district=永兴 "$WORK/yongxing.gbk.csv")
grep -q "1 changed, 1 removed, .* at revision 3$" <<<"$out" || fail "district import: $out"
wait_for_revision 3
# The school dropped from 永兴's roster still has counts: not on the roster.
dropped=$(grep ',永兴,' "$WORK/roster.csv" | head -n 1 | cut -d, -f4)
coverage --format=tsv > "$WORK/coverage_now.tsv"
grep -q $'\t永兴\t.*\t'"$dropped"'$' "$WORK/coverage_now.tsv" ||
  fail "a counted school off the roster: $(coverage --format=tsv | grep 永兴)"

# Mistakes, each named by line; nothing sent.
{ head -n 1 "$WORK/roster.csv"
  echo '2015-autumn,利辛县,城北,甲,"1-13"'
  echo '2015-autumn,利辛县,城北,乙,"6-1"'
  echo '2015-autumn,利辛县,城北,丙,"1"'
  echo '2015-autumn,利辛县,城北,丙,"2"'
  echo '2015-autumn,利辛县,,丁,"2"'; } > "$WORK/bad.csv"
if hc roster import --ingest="$INGEST" "$WORK/bad.csv" 2>"$WORK/err"; then fail "a bad roster must fail"; fi
grep -q '^.*bad.csv:2: grades: "1-13" names grade 13, not in 1..12$' "$WORK/err" || fail "grade 13: $(cat "$WORK/err")"
grep -q '^.*bad.csv:3: grades: "6-1" runs backward$' "$WORK/err" || fail "backward: $(cat "$WORK/err")"
grep -q '^.*bad.csv:5: school: 丙 of 城北 is listed again (line 4)$' "$WORK/err" || fail "twice: $(cat "$WORK/err")"
grep -q '^.*bad.csv:6: district: must not be empty$' "$WORK/err" || fail "no district: $(cat "$WORK/err")"
grep -q '^headcount: 4 bad row(s); nothing sent$' "$WORK/err" || fail "summary: $(cat "$WORK/err")"
printf 'term,county,district,school\n2015-autumn,利辛县,城北,甲\n' > "$WORK/nogrades.csv"
if hc roster import --ingest="$INGEST" "$WORK/nogrades.csv" 2>"$WORK/err"; then fail "no grades column must fail"; fi
grep -q 'the header has no column grades (年级)' "$WORK/err" || fail "header: $(cat "$WORK/err")"
# Another district's row in a district's import: the ingest refuses it.
if hc roster import --ingest="$INGEST" --district=城北 "$WORK/yongxing.gbk.csv" 2>"$WORK/err"; then
  fail "永兴's rows as 城北's roster must fail"
fi
grep -q "is 永兴 in the roster of district 城北" "$WORK/err" || fail "scope: $(cat "$WORK/err")"

# A new school: refused until submitted with --add-to-roster, which puts it
# on the roster, so that its next correction needs no flag.
{ head -n 1 "$FIXTURE/headcounts.csv"; echo "2015-autumn,利辛县,永兴,永兴新校,1,40,41"; } > "$WORK/new.csv"
if hc submit --ingest="$INGEST" "$WORK/new.csv" >/dev/null 2>"$WORK/err"; then fail "a school not on the roster must fail"; fi
grep -q "headcount submit --add-to-roster" "$WORK/err" || fail "the way out: $(cat "$WORK/err")"
out=$(hc submit --ingest="$INGEST" --add-to-roster "$WORK/new.csv") || fail "--add-to-roster: $out"
grep -q "1 created" <<<"$out" || fail "--add-to-roster: $out"
sed -i 's/,40,41$/,41,41/' "$WORK/new.csv"
out=$(hc submit --ingest="$INGEST" "$WORK/new.csv") || fail "on the roster now: $out"
grep -q "1 updated" <<<"$out" || fail "on the roster now: $out"
echo PASS
