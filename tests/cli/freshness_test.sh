#!/usr/bin/env bash
# Freshness and logs: while the ingest is down the audit's answers say since
# when, the client warns, and the audit logs the loss and the return once
# each; every log line has an RFC 3339 time, a level and a component, and
# --log_format=json writes one JSON object per line.
# Usage: freshness_test.sh BIN_DIR FIXTURE_DIR
BIN=$1
FIXTURE=$2
source "$(dirname "$0")/services.sh"
hc() { "$BIN/headcount" "$@"; }
report() { hc report --audit="$AUDIT" --term=2015-autumn --county=利辛县 "$@"; }

hc submit --ingest="$INGEST" "$FIXTURE/headcounts.csv" >/dev/null
wait_for_revision 1
report >/dev/null 2>"$WORK/err"
[ ! -s "$WORK/err" ] || fail "a fresh report warned: $(cat "$WORK/err")"
report --format=json | /usr/bin/python3 -c '
import json, sys
f = json.load(sys.stdin)["freshness"]
assert f["applied_revision"] == "1" and f["ingest_revision"] == "1", f
assert "feed_unreachable_since" not in f, f' || fail "freshness of a fresh report"

# The ingest stops: answers are marked, the client warns, the table is
# still printed.
ingest_pid=${SERVICE_PIDS[0]}
kill -TERM "$ingest_pid"; wait "$ingest_pid" 2>/dev/null || true
for _ in $(seq 100); do
  report --format=json 2>/dev/null | grep -q feed_unreachable_since && break
  sleep 0.1
done
report > "$WORK/stale.txt" 2>"$WORK/err" || fail "a stale report must still print"
grep -q "^headcount: warning: the audit at $AUDIT has not reached the ingest since 20[0-9-]*T[0-9:]*Z ([0-9]*s); this shows ingest revision 1 and may be stale$" "$WORK/err" ||
  fail "stale warning: $(cat "$WORK/err")"
grep -q "^利辛县 2015-autumn (revision 1)" "$WORK/stale.txt" || fail "the stale table: $(head -n 2 "$WORK/stale.txt")"
hc alerts --audit="$AUDIT" --level=district >/dev/null 2>"$WORK/err"
grep -q "has not reached the ingest since" "$WORK/err" || fail "alerts while stale: $(cat "$WORK/err")"
sleep 2  # several reconnection attempts
[ "$(grep -c "lost the ingest feed at $INGEST" "$WORK/headcount-audit.log")" = 1 ] ||
  fail "the loss must be logged once: $(grep feed "$WORK/headcount-audit.log")"

# Back on the same address (JSON logs this time): the return is logged once
# and the answers are fresh again.
start_service "$BIN" "$WORK" headcount-ingest INGEST_AGAIN \
  --listen="$INGEST" --data_dir="$WORK/ingest" --log_format=json
for _ in $(seq 100); do
  grep -q "the ingest feed at $INGEST is back after" "$WORK/headcount-audit.log" && break
  sleep 0.1
done
[ "$(grep -c "the ingest feed at $INGEST is back after" "$WORK/headcount-audit.log")" = 1 ] ||
  fail "the return must be logged once: $(grep feed "$WORK/headcount-audit.log")"
report >/dev/null 2>"$WORK/err"
[ ! -s "$WORK/err" ] || fail "a report after the return warned: $(cat "$WORK/err")"

# Every text line of the audit: time, level, program, component.
bad=$(grep -Ev '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z (INFO|WARN|ERROR) headcount-audit [a-z]+: ' \
  "$WORK/headcount-audit.log" || true)
[ -z "$bad" ] || fail "audit log lines without time, level or component: $bad"
# The JSON ingest: one object per line, the submission with its fields.
{ head -n 1 "$FIXTURE/headcounts.csv"; grep ',永兴,双龙中学,' "$FIXTURE/headcounts.csv" |
  sed 's/,9,53,72$/,9,72,72/'; } > "$WORK/fix.csv"
hc submit --ingest="$INGEST" "$WORK/fix.csv" >/dev/null
/usr/bin/python3 - "$WORK/headcount-ingest.log" <<'PY' || fail "JSON log: $(cat "$WORK/headcount-ingest.log")"
import json, re, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert lines, "no log lines"
for l in lines:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", l["time"]), l
    assert l["level"] in ("INFO", "WARN", "ERROR") and l["program"] == "headcount-ingest", l
    assert l["component"] and l["msg"], l
submits = [l for l in lines if l["component"] == "mutation"]
assert len(submits) == 1, submits
s = submits[0]
assert s["msg"] == "SubmitBatch" and s["rows"] == "1" and s["revision"] == "2", s
assert s["outcome"].startswith("created=0 updated=1"), s
PY
echo PASS
