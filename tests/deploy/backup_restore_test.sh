#!/usr/bin/env bash
# Backup and restore, online: a running ingest under load writes a
# consistent copy of its store (headcount backup, the operator's Backup
# call); the copy, restored as the data directory of a fresh ingest with a
# fresh audit following it, gives the same reports and open alerts as the
# original pair at the copy's revision.
# Usage: backup_restore_test.sh BIN_DIR FIXTURE_DIR SOURCE_DIR
set -euo pipefail
BIN=$1
FIXTURE=$2
SOURCE=$3
WORK=$(mktemp -d "${TMPDIR:-/tmp}/headcount-backup.XXXXXX")
source "$SOURCE/deploy/start_service.sh"
trap 'stop_services; rm -rf "$WORK"' EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
hc() { "$BIN/headcount" "$@"; }
# tables AUDIT: the county table and the open alerts (every column but
# none of time), as text to compare.
tables() {
  hc report --audit="$1" --term=2015-autumn --county=利辛县 --format=tsv
  hc report --audit="$1" --term=2015-autumn --county=利辛县 --district=永兴 --format=tsv
  hc alerts --audit="$1" --format=tsv
}
wait_applied() {  # wait_applied AUDIT REVISION (60 s: sanitizer builds)
  for _ in $(seq 600); do
    hc report --audit="$1" --term=2015-autumn --county=利辛县 2>/dev/null |
      head -n 1 | grep -q "(revision $2)" && return 0
    sleep 0.1
  done
  fail "the audit at $1 did not reach revision $2"
}

start_service "$BIN" "$WORK" headcount-ingest INGEST --listen=127.0.0.1:0 \
  --data_dir="$WORK/ingest" --backup_dir="$WORK/backups"
start_service "$BIN" "$WORK" headcount-audit AUDIT --listen=127.0.0.1:0 \
  --data_dir="$WORK/audit" --ingest="$INGEST"
hc submit --ingest="$INGEST" "$FIXTURE/headcounts.csv" >/dev/null
{ head -n 1 "$FIXTURE/headcounts.csv"; grep ',永兴,双龙中学,' "$FIXTURE/headcounts.csv" |
  sed 's/,9,53,72$/,9,72,72/'; } > "$WORK/fix.csv"
hc submit --ingest="$INGEST" "$WORK/fix.csv" >/dev/null

# backup: the copy's revision and path, from the client's answer.
backup() {
  local out
  out=$(hc backup --ingest="$INGEST") || fail "backup: $out"
  grep -Eq "^revision [0-9]+ of history [0-9a-f]+, [0-9.]+ MiB, in $WORK/backups/ingest-[0-9a-f]+-rev[0-9]+-[0-9TZ]+ \(on the ingest's host\)$" <<<"$out" ||
    fail "backup answer: $out"
  echo "$(sed -n 's/^revision \([0-9]*\) .*/\1/p' <<<"$out") $(sed -n 's/.* in \(.*\) (on the ingest.*/\1/p' <<<"$out")"
}

# A copy made while submissions go on, and one after them.
"$BIN/headcount-load" --ingest="$INGEST" --clients=2 --submissions=300 \
  --latency_samples=0 >/dev/null 2>&1 &
load=$!
sleep 0.3
read -r during_revision during_path <<<"$(backup)"
wait "$load" || fail "headcount-load"
sleep 1  # distinct directory names (seconds)
read -r after_revision after_path <<<"$(backup)"
[ "$during_revision" -ge 2 ] && [ "$during_revision" -le "$after_revision" ] ||
  fail "copies at revisions $during_revision and $after_revision"
grep -q "backup: Backup principal=- path=$after_path revision=$after_revision outcome=OK" "$WORK/headcount-ingest.log" ||
  fail "the backup was not logged: $(grep -i backup "$WORK/headcount-ingest.log")"
[ -z "$(ls -A "$WORK/backups" | grep partial || true)" ] || fail "a partial copy was left"
wait_applied "$AUDIT" "$after_revision"
tables "$AUDIT" > "$WORK/original.txt"

# Restore the later copy (copied, as an operator would bring it back from
# elsewhere) under a fresh ingest, and a fresh audit after it: the same
# reports and open alerts (ids, states, counts, revisions) as the original.
cp -a "$after_path" "$WORK/restored"
mkdir "$WORK/r"
start_service "$BIN" "$WORK/r" headcount-ingest RESTORED --listen=127.0.0.1:0 --data_dir="$WORK/restored"
grep -q "serving at revision $after_revision" "$WORK/r/headcount-ingest.log" ||
  fail "the restored ingest: $(tail -n 3 "$WORK/r/headcount-ingest.log")"
start_service "$BIN" "$WORK/r" headcount-audit RESTORED_AUDIT --listen=127.0.0.1:0 \
  --data_dir="$WORK/audit-restored" --ingest="$RESTORED"
wait_applied "$RESTORED_AUDIT" "$after_revision"
tables "$RESTORED_AUDIT" > "$WORK/restored.txt"
[ "$(wc -l < "$WORK/restored.txt")" -gt 40 ] || fail "restored tables: $(cat "$WORK/restored.txt")"
grep -q $'^24\t永兴\t533\t533\t0\t0.000' "$WORK/restored.txt" || fail "the correction is not in the copy"
cmp "$WORK/original.txt" "$WORK/restored.txt" ||
  fail "restored reports or alerts differ: $(diff "$WORK/original.txt" "$WORK/restored.txt" | head)"

# The copy made under load opens at its own revision, whole.
cp -a "$during_path" "$WORK/during"
mkdir "$WORK/d"
start_service "$BIN" "$WORK/d" headcount-ingest DURING --listen=127.0.0.1:0 --data_dir="$WORK/during"
grep -q "serving at revision $during_revision" "$WORK/d/headcount-ingest.log" ||
  fail "the copy made under load: $(tail -n 3 "$WORK/d/headcount-ingest.log")"
start_service "$BIN" "$WORK/d" headcount-audit DURING_AUDIT --listen=127.0.0.1:0 \
  --data_dir="$WORK/audit-during" --ingest="$DURING"
wait_applied "$DURING_AUDIT" "$during_revision"

# Without --backup_dir the call is refused, saying how to enable it.
out=$(hc backup --ingest="$RESTORED" 2>&1) && fail "backup without --backup_dir: $out"
grep -q "FAILED_PRECONDITION\|start it with --backup_dir=DIR" <<<"$out" || fail "refusal: $out"
echo PASS
