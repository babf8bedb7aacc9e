#!/usr/bin/env bash
# `headcount alerts --follow` through an audit killed (-9) and restarted:
# it keeps running, resumes after the last id it printed, and prints every
# event once, with no gap.
# Usage: alerts_follow_test.sh BIN_DIR FIXTURE_DIR
BIN=$1
FIXTURE=$2
source "$(dirname "$0")/services.sh"
hc() { "$BIN/headcount" "$@"; }

hc submit --ingest="$INGEST" "$FIXTURE/headcounts.csv" >/dev/null
"$BIN/headcount" alerts --audit="$AUDIT" --follow --after=0 --format=json \
  > "$WORK/follow.json" 2> "$WORK/follow.err" &
follower=$!
ids() { python3 -c '
import json,sys
print(" ".join(str(json.loads(l)["alert_id"]) for l in open(sys.argv[1]) if l.strip()))' "$1"; }
count() { ids "$WORK/follow.json" | wc -w; }
for _ in $(seq 100); do [ "$(count)" -ge 20 ] && break; sleep 0.1; done
before=$(count)
[ "$before" -ge 20 ] || fail "the follow printed $before events of the fixture"

# kill -9 of the audit (the last service started), a correction while it is
# down, the audit back on the same address, another correction.
audit_pid=${SERVICE_PIDS[1]}
kill -9 "$audit_pid"; wait "$audit_pid" 2>/dev/null || true
{ head -n 1 "$FIXTURE/headcounts.csv"; grep ',永兴,双龙中学,' "$FIXTURE/headcounts.csv" |
  sed 's/,9,53,72$/,9,72,72/'; } > "$WORK/fix.csv"
hc submit --ingest="$INGEST" "$WORK/fix.csv" >/dev/null
start_service "$BIN" "$WORK" headcount-audit AUDIT_AGAIN \
  --listen="$AUDIT" --data_dir="$WORK/audit" --ingest="$INGEST"
[ "$AUDIT_AGAIN" = "$AUDIT" ] || fail "the audit came back on $AUDIT_AGAIN, not $AUDIT"
{ head -n 1 "$FIXTURE/headcounts.csv"; grep ',永兴,双龙中学,' "$FIXTURE/headcounts.csv" |
  sed 's/,9,53,72$/,9,40,72/'; } > "$WORK/fix2.csv"
hc submit --ingest="$INGEST" "$WORK/fix2.csv" >/dev/null

# Every event the audit holds, by a bounded read.
hc alerts --audit="$AUDIT" --after=0 --format=json > "$WORK/all.json"
want=$(ids "$WORK/all.json")
for _ in $(seq 150); do [ "$(ids "$WORK/follow.json")" = "$want" ] && break; sleep 0.1; done
kill -0 "$follower" 2>/dev/null || fail "the follow exited: $(cat "$WORK/follow.err")"
kill "$follower"; wait "$follower" 2>/dev/null || true
got=$(ids "$WORK/follow.json")
[ "$got" = "$want" ] || fail "the follow printed ids [$got], the audit holds [$want]"
[ "$(wc -w <<<"$want")" -gt "$before" ] || fail "no event after the restart"
grep -q "resuming after" "$WORK/follow.err" || fail "the follow did not say it resumed: $(cat "$WORK/follow.err")"
echo "PASS ($before events before the kill, $(wc -w <<<"$want") in all)"
