#!/usr/bin/env bash
# Metrics: both services serve /metrics (--metrics_listen, port 0), and the
# right series move: calls by method and code, commits and synced writes,
# revisions, the audit's lag, open alerts and alert events, streams, and
# RocksDB's figures; under headcount-load the Submit count moves by exactly
# the submissions sent. The example Prometheus rules and configuration are
# checked with promtool when it is installed.
# Usage: metrics_test.sh BIN_DIR FIXTURE_DIR SOURCE_DIR
set -euo pipefail
BIN=$1
FIXTURE=$2
SOURCE=$3
WORK=$(mktemp -d "${TMPDIR:-/tmp}/headcount-metrics.XXXXXX")
source "$SOURCE/deploy/start_service.sh"
trap 'stop_services; rm -rf "$WORK"' EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

start_service "$BIN" "$WORK" headcount-ingest INGEST --listen=127.0.0.1:0 \
  --data_dir="$WORK/ingest" --metrics_listen=127.0.0.1:0
start_service "$BIN" "$WORK" headcount-audit AUDIT --listen=127.0.0.1:0 \
  --data_dir="$WORK/audit" --ingest="$INGEST" --metrics_listen=127.0.0.1:0
ingest_metrics=$(sed -n 's/^metrics on //p' "$WORK/headcount-ingest.out")
audit_metrics=$(sed -n 's/^metrics on //p' "$WORK/headcount-audit.out")
[ -n "$ingest_metrics" ] && [ -n "$audit_metrics" ] || fail "no 'metrics on' line"

scrape() { /usr/bin/python3 - "$1" <<'PY'
import sys, urllib.request
text = urllib.request.urlopen(f"http://{sys.argv[1]}/metrics", timeout=5).read().decode()
for line in text.splitlines():
    if line and not line.startswith("#"):
        print(line)
PY
}
# value SCRAPE_FILE SERIES: the value of one series (0 when absent).
value() { awk -v s="$2" '$1 == s { print $2; found = 1 } END { if (!found) print 0 }' "$1"; }

"$BIN/headcount" submit --ingest="$INGEST" "$FIXTURE/headcounts.csv" >/dev/null
for _ in $(seq 100); do
  scrape "$audit_metrics" > "$WORK/audit.1"
  [ "$(value "$WORK/audit.1" headcount_audit_applied_revision)" = 1 ] && break
  sleep 0.1
done
scrape "$ingest_metrics" > "$WORK/ingest.1"
check() {  # check FILE SERIES EXPECTED (an awk condition on v)
  local v
  v=$(value "$1" "$2")
  awk -v v="$v" "BEGIN { exit !($3) }" || fail "$2 = $v, expected $3 (in $1)"
}
check "$WORK/ingest.1" 'headcount_grpc_handled_total{code="OK",method="SubmitBatch",service="headcount.v1.IngestService"}' 'v == 1'
check "$WORK/ingest.1" headcount_ingest_revision 'v == 1'
check "$WORK/ingest.1" headcount_ingest_commit_rows_sum 'v == 109'
check "$WORK/ingest.1" headcount_ingest_synced_write_seconds_count 'v >= 1'
check "$WORK/ingest.1" 'headcount_streams_open{service="ingest"}' 'v == 1'
check "$WORK/ingest.1" 'headcount_rocksdb_live_data_bytes{store="ingest"}' 'v >= 0'
check "$WORK/ingest.1" 'headcount_rocksdb_write_stopped{store="ingest"}' 'v == 0'
check "$WORK/audit.1" headcount_audit_applied_revision 'v == 1'
check "$WORK/audit.1" headcount_audit_ingest_revision 'v == 1'
check "$WORK/audit.1" headcount_audit_lag_revisions 'v == 0'
check "$WORK/audit.1" headcount_audit_feed_connected 'v == 1'
check "$WORK/audit.1" 'headcount_audit_open_alerts{level="district"}' 'v == 4'
check "$WORK/audit.1" 'headcount_audit_open_alerts{level="grade"}' 'v == 19'
check "$WORK/audit.1" 'headcount_audit_alert_events_total{state="RAISED"}' 'v >= 23'
check "$WORK/audit.1" headcount_audit_apply_seconds_count 'v == 1'
# A unary call is timed, a refused one counted under its code.
"$BIN/headcount" report --audit="$AUDIT" --term=2015 >/dev/null 2>&1 || true
scrape "$audit_metrics" > "$WORK/audit.2"
check "$WORK/audit.2" 'headcount_grpc_handled_total{code="INVALID_ARGUMENT",method="ListCounties",service="headcount.v1.AuditService"}' 'v == 1'
check "$WORK/audit.2" 'headcount_grpc_handling_seconds_count{method="ListCounties",service="headcount.v1.AuditService"}' 'v == 1'

# Under load: 200 submissions by 4 clients move the Submit count by 200.
before=$(value "$WORK/ingest.1" 'headcount_grpc_handled_total{code="OK",method="Submit",service="headcount.v1.IngestService"}')
"$BIN/headcount-load" --ingest="$INGEST" --clients=4 --submissions=200 --latency_samples=0 >/dev/null 2>&1 ||
  fail "headcount-load"
scrape "$ingest_metrics" > "$WORK/ingest.2"
check "$WORK/ingest.2" 'headcount_grpc_handled_total{code="OK",method="Submit",service="headcount.v1.IngestService"}' "v == $before + 200"
check "$WORK/ingest.2" headcount_ingest_revision 'v >= 2'

# Every series is ours (headcount_) or prometheus-cpp's own (exposer_).
others=$(cat "$WORK/ingest.2" "$WORK/audit.2" | grep -Ev '^(headcount_|exposer_)' || true)
[ -z "$others" ] || fail "series not named headcount_: $others"

# The ingest stops: the audit says so.
kill -TERM "${SERVICE_PIDS[0]}"; wait "${SERVICE_PIDS[0]}" 2>/dev/null || true
for _ in $(seq 50); do
  scrape "$audit_metrics" > "$WORK/audit.3"
  [ "$(value "$WORK/audit.3" headcount_audit_feed_connected)" = 0 ] && break
  sleep 0.1
done
check "$WORK/audit.3" headcount_audit_feed_connected 'v == 0'
sleep 1.1
scrape "$audit_metrics" > "$WORK/audit.4"
check "$WORK/audit.4" headcount_audit_lag_seconds 'v >= 1'

# A bad --metrics_listen is refused at start, naming the flag.
code=0
"$BIN/headcount-ingest" --data_dir="$WORK/x" --listen=127.0.0.1:0 --metrics_listen=nowhere \
  >/dev/null 2>"$WORK/err" || code=$?
[ "$code" = 2 ] && grep -q -- "--metrics_listen: must be HOST:PORT" "$WORK/err" ||
  fail "bad --metrics_listen: exit $code, $(cat "$WORK/err")"

# The example Prometheus files.
if command -v promtool >/dev/null; then
  promtool check rules "$SOURCE/deploy/prometheus/headcount_rules.yml" >/dev/null ||
    fail "promtool check rules: $(promtool check rules "$SOURCE/deploy/prometheus/headcount_rules.yml" 2>&1)"
  promtool check config "$SOURCE/deploy/prometheus/prometheus.yml" >/dev/null ||
    fail "promtool check config: $(promtool check config "$SOURCE/deploy/prometheus/prometheus.yml" 2>&1)"
  promtool test rules "$SOURCE/deploy/prometheus/headcount_rules_test.yml" >/dev/null ||
    fail "promtool test rules: $(promtool test rules "$SOURCE/deploy/prometheus/headcount_rules_test.yml" 2>&1)"
else
  echo "promtool not installed (apt-get install prometheus): the example rules were not checked"
fi
echo PASS
