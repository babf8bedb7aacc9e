#!/usr/bin/env bash
# End to end: the headcount client against both services on loopback.
# Usage: headcount_cli_test.sh BIN_DIR FIXTURE_DIR
BIN=$1
FIXTURE=$2
source "$(dirname "$0")/services.sh"
hc() { "$BIN/headcount" "$@"; }

# --help on every subcommand.
for command in submit report alerts; do
  hc "$command" --help | grep -q "^Usage: headcount $command \[OPTIONS\]" || fail "$command --help"
done
hc nonsense 2>/dev/null && fail "an unknown command must fail"

# A bad row: file:line, the field, the reason; nothing stored.
bad="$WORK/bad.csv"
{ head -n 3 "$FIXTURE/headcounts.csv"; echo "2015-autumn,利辛县,城北,城北中心小学,13,1,1"; } > "$bad"
if hc submit --ingest="$INGEST" "$bad" 2>"$WORK/err"; then fail "a bad row must fail"; fi
grep -q "bad.csv:4: grade: must be in 1..12, got 13" "$WORK/err" || fail "bad row message: $(cat "$WORK/err")"
grep -q "nothing submitted" "$WORK/err" || fail "must say nothing was submitted"
hc report --audit="$AUDIT" --term=2015-autumn --county=利辛县 2>"$WORK/err" &&
  fail "nothing may be stored after a bad file"
grep -q "nothing counted" "$WORK/err" || fail "report of nothing: $(cat "$WORK/err")"

# --allow-partial leaves out the school with the bad row, keeps the others.
{ head -n 1 "$FIXTURE/headcounts.csv"; grep ',城北中心小学,' "$FIXTURE/headcounts.csv" | head -n 3
  echo "2015-autumn,利辛县,城关,坏学校,1,x,1"; } > "$WORK/partial.csv"
out=$(hc submit --ingest="$INGEST" --allow-partial "$WORK/partial.csv" 2>"$WORK/err") ||
  fail "allow-partial: $(cat "$WORK/err")"
grep -q "leaving out 坏学校" "$WORK/err" || fail "must name the school left out"
grep -q "^1 school (3 rows) from 1 file \[UTF-8\]: 1 created" <<<"$out" || fail "allow-partial summary: $out"

# The fixture, GBK, as one batch; then the UTF-8 file: the same ids, unchanged.
out=$(hc submit --ingest="$INGEST" "$FIXTURE/headcounts.gbk.csv")
grep -q "109 schools (578 rows) from 1 file \[GBK\]" <<<"$out" || fail "gbk summary: $out"
revision=$(sed -n 's/.*revision \([0-9]*\).*/\1/p' <<<"$out")
out=$(hc submit --ingest="$INGEST" --per-school "$FIXTURE/headcounts.csv")
grep -q "109 unchanged" <<<"$out" || fail "utf-8 resubmission must change nothing: $out"
wait_for_revision "$revision"

# The TSV is byte-identical to the notice's attachment 1.
hc report --audit="$AUDIT" --term=2015-autumn --format=tsv > "$WORK/report.tsv"
cmp "$WORK/report.tsv" "$FIXTURE/expected_districts.tsv" || fail "tsv differs from attachment 1"

# The terminal table lines up: every row's ratio ends at the same column.
hc report --audit="$AUDIT" --term=2015-autumn --county=利辛县 > "$WORK/table.txt"
widths=$(tail -n +3 "$WORK/table.txt" | while IFS= read -r line; do
  python3 -c 'import sys,unicodedata
l=sys.argv[1].rstrip()
l=l[:l.rfind("超过")].rstrip() if "超过" in l else l
print(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in l))' "$line"; done | sort -u)
[ "$(wc -l <<<"$widths")" = 1 ] || fail "table columns do not line up: $widths"

hc report --audit="$AUDIT" --term=2015-autumn --format=md | grep -q '^| 24 | 永兴 | 514 | 533 | 19 | 0.036 | 超过2% |$' ||
  fail "markdown row"
hc report --audit="$AUDIT" --term=2015-autumn --format=json | python3 -c '
import json,sys
r=json.load(sys.stdin)
assert len(r["rows"])==27 and r["total"]["onsite_count"]=="60135", r["total"]' || fail "json"
hc report --audit="$AUDIT" --term=2015-autumn --county=利辛县 --district=纪王场 --format=csv |
  grep -q '^合计,,1450,1500,50,0.033$' || fail "district csv total"
# --bom: the same CSV after a UTF-8 byte order mark, for Excel.
hc report --audit="$AUDIT" --term=2015-autumn --county=利辛县 --format=csv > "$WORK/plain.csv"
hc report --audit="$AUDIT" --term=2015-autumn --county=利辛县 --format=csv --bom > "$WORK/bom.csv"
cmp <(printf '\xEF\xBB\xBF'; cat "$WORK/plain.csv") "$WORK/bom.csv" || fail "--bom csv"
hc report --audit="$AUDIT" --term=2015-autumn --format=json --bom 2>/dev/null && fail "--bom with json must fail"

# Alerts: the four districts; a correction clears one, seen with --after.
# In the reports' order (pinyin: 程家集 chéng, 纪王场 jì, 旧城 jiù, 永兴 yǒng),
# under the reports' headings.
hc alerts --audit="$AUDIT" --level=district --format=tsv > "$WORK/district_alerts.tsv"
[ "$(tail -n +2 "$WORK/district_alerts.tsv" | cut -f6 | tr '\n' ' ')" = "程家集 纪王场 旧城 永兴 " ] ||
  fail "district alerts: $(cat "$WORK/district_alerts.tsv")"
head -n 1 "$WORK/district_alerts.tsv" | grep -q $'^编号\t状态\t级别\t学期\t县\t学区\t学校\t年级\t现场核查学生数\t学籍数据学生数\t差额人数\t差额比例\t备注' ||
  fail "alert headings: $(head -n 1 "$WORK/district_alerts.tsv")"
[ "$(hc alerts --audit="$AUDIT" --level=grade --format=tsv | tail -n +2 | wc -l)" = 19 ] || fail "19 grade alerts"
last=$(hc alerts --audit="$AUDIT" --format=json | python3 -c '
import json,sys; print(max(int(json.loads(l)["alert_id"]) for l in sys.stdin))')
"$BIN/headcount" alerts --audit="$AUDIT" --follow --after="$last" --format=tsv > "$WORK/follow.tsv" &
follower=$!
{ head -n 1 "$FIXTURE/headcounts.csv"; grep ',永兴,双龙中学,' "$FIXTURE/headcounts.csv" |
  sed 's/,9,53,72$/,9,72,72/'; } > "$WORK/fix.csv"
hc submit --ingest="$INGEST" "$WORK/fix.csv" >/dev/null
for _ in $(seq 100); do grep -q CLEARED "$WORK/follow.tsv" 2>/dev/null && break; sleep 0.1; done
kill "$follower"; wait "$follower" 2>/dev/null || true
grep -q $'CLEARED\tgrade\t2015-autumn\t利辛县\t永兴\t双龙中学\t9\t72\t72\t0\t0.000' "$WORK/follow.tsv" ||
  fail "follow must show the cleared grade: $(cat "$WORK/follow.tsv")"
hc alerts --audit="$AUDIT" --after="$last" --level=district --format=tsv | grep -q $'CLEARED\tdistrict\t2015-autumn\t利辛县\t永兴' ||
  fail "永兴 (19 - 19 = 0 of 533) must clear too"

# The original file again restores the original counts: an update (each run
# is its own attempt), not a replay of the first submission.
out=$(hc submit --ingest="$INGEST" "$FIXTURE/headcounts.csv")
grep -q "0 created, 1 updated, 108 unchanged" <<<"$out" ||
  fail "the original again must restore the corrected grade: $out"
wait_for_revision "$(sed -n 's/.*revision \([0-9]*\).*/\1/p' <<<"$out")"
hc report --audit="$AUDIT" --term=2015-autumn --format=tsv > "$WORK/restored.tsv"
cmp "$WORK/restored.tsv" "$FIXTURE/expected_districts.tsv" ||
  fail "after the original again, the tsv differs from attachment 1"

# The same schools in two files: counted as such, not as bad rows.
if hc submit --ingest="$INGEST" "$FIXTURE/headcounts.csv" "$FIXTURE/headcounts.gbk.csv" 2>"$WORK/err"; then
  fail "schools given twice must fail"
fi
grep -q "headcounts.gbk.csv:2: school: 城北中心小学 was already given in .*headcounts.csv:2" "$WORK/err" ||
  fail "twice, per school: $(head -n 2 "$WORK/err")"
grep -q "^headcount: 109 schools given twice; nothing submitted" "$WORK/err" || fail "twice: $(tail -n 1 "$WORK/err")"

# A school new to a district where a close name is stored: likely a typo.
{ head -n 1 "$FIXTURE/headcounts.csv"; echo "2015-autumn,利辛县,城北,城北中心校,1,63,62"; } > "$WORK/typo.csv"
hc submit --ingest="$INGEST" --dry-run "$WORK/typo.csv" >/dev/null 2>"$WORK/err" || fail "typo dry run: $(cat "$WORK/err")"
grep -q "typo.csv:2: warning: 城北中心校 is new to 利辛县/城北; did you mean .*城北中心小学.*(sent as a new school)$" "$WORK/err" ||
  fail "typo warning: $(cat "$WORK/err")"

# Failures are one clear line and a non-zero exit.
if hc report --audit=127.0.0.1:1 --term=2015-autumn 2>"$WORK/err"; then fail "unreachable must fail"; fi
[ "$(wc -l < "$WORK/err")" = 1 ] && grep -q "^headcount: cannot reach the audit service at 127.0.0.1:1" "$WORK/err" ||
  fail "unreachable message: $(cat "$WORK/err")"
if hc report --audit="$AUDIT" --term=2015-autumn --county=利辛县 --district=纪王 2>"$WORK/err"; then
  fail "an unknown district must fail"
fi
grep -q "nothing counted for district 纪王 .*; did you mean 纪王场?$" "$WORK/err" ||
  fail "unknown district: $(cat "$WORK/err")"
hc report --audit="$AUDIT" --term=2015-autumn --county=利辛县 --district=jiwangchang 2>"$WORK/err" &&
  fail "a district in pinyin must fail"
grep -q "; did you mean 纪王场?$" "$WORK/err" || fail "district in pinyin: $(cat "$WORK/err")"
if hc report --audit="$AUDIT" --term=2015 2>"$WORK/err"; then fail "bad term must fail"; fi
grep -q "^headcount: the audit service refused: term: must be" "$WORK/err" || fail "bad term: $(cat "$WORK/err")"
# On a terminal (script(1) gives the client one): the bar counts the rows
# sent, --allow-partial's too, and is erased before the summary.
on_tty() { script -qec "$1" "$WORK/tty.txt" >/dev/null; }
on_tty "'$BIN/headcount' submit --ingest=$INGEST '$FIXTURE/headcounts.csv'"
on_tty_check() {
  python3 - "$WORK/tty.txt" "$1" "$2" <<'PY' || fail "progress bar on a terminal: $(cat -v "$WORK/tty.txt" | tail -c 400)"
import sys
text = open(sys.argv[1], encoding="utf-8", errors="replace", newline="").read()
final, summary = sys.argv[2], sys.argv[3]
assert final in text, "the bar never showed " + final
at = text.index(summary)
assert text[:at].endswith("\r\x1b[K"), "the summary is glued to the bar"
PY
}
on_tty_check "578/578 rows" "109 schools (578 rows)"
on_tty "'$BIN/headcount' submit --ingest=$INGEST --allow-partial '$WORK/partial.csv'"
on_tty_check "3/3 rows" "1 school (3 rows)"

# A file that cannot be read says why; the audit's port is not the ingest.
if hc submit --ingest="$INGEST" "$WORK/nosuch.csv" 2>"$WORK/err"; then fail "a missing file must fail"; fi
grep -q "^headcount: cannot read $WORK/nosuch.csv: No such file or directory$" "$WORK/err" ||
  fail "missing file: $(cat "$WORK/err")"
if hc submit --ingest="$INGEST" "$WORK" 2>"$WORK/err"; then fail "a directory must fail"; fi
grep -q "^headcount: cannot read $WORK: Is a directory$" "$WORK/err" || fail "directory: $(cat "$WORK/err")"
if hc submit --ingest="$AUDIT" "$FIXTURE/headcounts.csv" 2>"$WORK/err"; then fail "the audit's port must fail"; fi
grep -q "^headcount: $AUDIT does not serve the ingest service (UNIMPLEMENTED" "$WORK/err" ||
  fail "wrong service: $(cat "$WORK/err")"
echo PASS
