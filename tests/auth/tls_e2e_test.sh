#!/usr/bin/env bash
# End to end with mutual TLS: the real binaries, certificates made with
# deploy/pki.sh, the headcount client (flags and HEADCOUNT_* variables) and
# a real grpcurl (-cacert -cert -key) that knows no .proto.
# Usage: tls_e2e_test.sh BIN_DIR FIXTURE_DIR GRPCURL
set -euo pipefail
BIN=$1
FIXTURE=$2
GRPCURL=$3
here=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/headcount-tls.XXXXXX")
source "$here/../../deploy/start_service.sh"
trap 'stop_services; rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

PKI=$WORK/pki
"$here/../../deploy/pki.sh" example "$PKI"
tls=(--tls_cert="$PKI/server.pem" --tls_key="$PKI/server.key"
     --tls_client_ca="$PKI/ca.pem" --policy="$PKI/policy.json")

# Refusals at startup: exit 2 and a sentence that names the flag.
expect_refusal() {  # PATTERN ARGS...
  local pattern=$1
  shift
  local code=0
  timeout 10 "$BIN/headcount-ingest" --data_dir="$WORK/never" "$@" \
    >/dev/null 2>"$WORK/refusal" || code=$?
  [ "$code" = 2 ] || fail "ingest $* exited $code, not 2: $(cat "$WORK/refusal")"
  grep -q -- "$pattern" "$WORK/refusal" || fail "ingest $*: $(cat "$WORK/refusal")"
}
expect_refusal "refusing to serve plaintext on 0.0.0.0:0" --listen=0.0.0.0:0
expect_refusal "given without --tls_client_ca, --policy" \
  --listen=127.0.0.1:0 --tls_cert="$PKI/server.pem" --tls_key="$PKI/server.key"
printf '{"bindings": [\n  {"principal": "x", "role": "admin"}]}\n' >"$WORK/bad.json"
expect_refusal "bad.json:2: unknown role \"admin\"" --listen=127.0.0.1:0 \
  --tls_cert="$PKI/server.pem" --tls_key="$PKI/server.key" \
  --tls_client_ca="$PKI/ca.pem" --policy="$WORK/bad.json"

HEALTH_TLS=(--ca="$PKI/ca.pem" --cert="$PKI/ops.pem" --key="$PKI/ops.key")
start_service "$BIN" "$WORK" headcount-ingest INGEST \
  --listen=127.0.0.1:0 --data_dir="$WORK/ingest" "${tls[@]}"
start_service "$BIN" "$WORK" headcount-audit AUDIT \
  --listen=127.0.0.1:0 --data_dir="$WORK/audit" --ingest="$INGEST" "${tls[@]}" \
  --ingest_ca="$PKI/ca.pem" --ingest_cert="$PKI/audit.pem" --ingest_key="$PKI/audit.key"
grep -q "mutual TLS" "$WORK/headcount-ingest.log" || fail "startup line: $(cat "$WORK/headcount-ingest.log")"

hc() { "$BIN/headcount" "$@"; }
as() {  # as PRINCIPAL COMMAND...: the client with HEADCOUNT_* set
  local who=$1
  shift
  HEADCOUNT_CA="$PKI/ca.pem" HEADCOUNT_CERT="$PKI/$who.pem" HEADCOUNT_KEY="$PKI/$who.key" "$@"
}

# A clerk of 永兴 cannot send the county's file: refused whole, nothing stored.
if as clerk-yongxing hc submit --ingest="$INGEST" "$FIXTURE/headcounts.csv" >/dev/null 2>"$WORK/err"; then
  fail "a clerk of 永兴 submitted the whole county"
fi
grep -q "may not submit for 利辛县/" "$WORK/err" || fail "clerk refusal: $(cat "$WORK/err")"
grep -q "PERMISSION_DENIED" "$WORK/headcount-ingest.log" || fail "the refusal was not logged"

# Without a certificate: refused at the handshake.
if HEADCOUNT_CA="$PKI/ca.pem" hc submit --ingest="$INGEST" --timeout=3 \
    "$FIXTURE/headcounts.csv" >/dev/null 2>"$WORK/err"; then
  fail "a client without a certificate got in"
fi
grep -q "cannot reach the ingest" "$WORK/err" || fail "no-cert message: $(cat "$WORK/err")"

# The county office sends it (flags this time, not the variables).
out=$(hc submit --ingest="$INGEST" --ca="$PKI/ca.pem" --cert="$PKI/lixin-office.pem" \
  --key="$PKI/lixin-office.key" "$FIXTURE/headcounts.gbk.csv")
grep -q "109 schools" <<<"$out" || fail "office submit: $out"
grep -q "SubmitBatch principal=lixin-office rows=109 revision=1 outcome=created=109" \
  "$WORK/headcount-ingest.log" || fail "the batch was not logged: $(cat "$WORK/headcount-ingest.log")"

# The provincial reader gets the notice's table byte for byte, over TLS.
for _ in $(seq 100); do
  as province-reader hc report --audit="$AUDIT" --term=2015-autumn --county=利辛县 \
    --format=tsv >"$WORK/report.tsv" 2>/dev/null && break
  sleep 0.1
done
cmp "$WORK/report.tsv" "$FIXTURE/expected_districts.tsv" || fail "report over TLS differs"
# The clerk reads its own district's table, not the county's.
as clerk-yongxing hc report --audit="$AUDIT" --term=2015-autumn --county=利辛县 \
  --district=永兴 >/dev/null || fail "the clerk cannot read its district"
if as clerk-yongxing hc report --audit="$AUDIT" --term=2015-autumn --county=利辛县 \
    >/dev/null 2>"$WORK/err"; then
  fail "a clerk read the county table"
fi
grep -q "may not call GetCountyReport" "$WORK/err" || fail "$(cat "$WORK/err")"

# grpcurl, which knows no .proto: reflection, a read, a refused write.
if [ ! -x "$GRPCURL" ]; then
  echo "SKIP (grpcurl part): $GRPCURL is missing"
  exit 0
fi
g() {  # g PRINCIPAL ARGS...
  local who=$1
  shift
  "$GRPCURL" -cacert "$PKI/ca.pem" -cert "$PKI/$who.pem" -key "$PKI/$who.key" "$@"
}
g province-reader "$AUDIT" list | grep -q headcount.v1.AuditService || fail "reflection over TLS"
g province-reader -d '{"term":"2015-autumn","county":"利辛县"}' "$AUDIT" \
  headcount.v1.AuditService/GetCountyReport >"$WORK/grpcurl.json" || fail "grpcurl report"
grep -q '"60135"' "$WORK/grpcurl.json" || fail "grpcurl report: $(head "$WORK/grpcurl.json")"
if g clerk-yongxing -d '{"submission_id":"g1","term":"2015-autumn","county":"利辛县","district":"城关","school":"城关一小","grades":[{"grade":1,"onsite_count":1,"registry_count":1}]}' \
    "$INGEST" headcount.v1.IngestService/Submit >"$WORK/grpcurl.out" 2>&1; then
  fail "grpcurl: a clerk of 永兴 wrote to 城关"
fi
grep -q "PermissionDenied" "$WORK/grpcurl.out" || fail "grpcurl refusal: $(cat "$WORK/grpcurl.out")"
# Every RPC through grpcurl: once by a principal allowed to call it (an
# answer, no refusal), once by one that is not (PermissionDenied).
rpc() {  # rpc ADDRESS METHOD ALLOWED DENIED JSON
  local address=$1 method=$2 allowed=$3 denied=$4 data=$5
  g "$allowed" -max-time 3 -d "$data" "$address" "$method" >"$WORK/g.out" 2>&1 || true
  if grep -q "PermissionDenied\|Unauthenticated" "$WORK/g.out" || ! grep -q '{' "$WORK/g.out"; then
    fail "grpcurl $method as $allowed: $(head -n 5 "$WORK/g.out")"
  fi
  if g "$denied" -max-time 3 -d "$data" "$address" "$method" >"$WORK/g.out" 2>&1 ||
      ! grep -q "PermissionDenied" "$WORK/g.out"; then
    fail "grpcurl $method as $denied was not refused: $(head -n 5 "$WORK/g.out")"
  fi
}
school='"term":"2015-autumn","county":"利辛县","district":"永兴","school":"双龙中学"'
row='"term":"2015-autumn","county":"利辛县","district":"永兴","school":"grpcurl小学","grades":[{"grade":1,"onsite_count":9,"registry_count":9}]'
I=headcount.v1.IngestService
A=headcount.v1.AuditService
rpc "$INGEST" $I/Submit clerk-yongxing province-reader "{\"submission_id\":\"g-1\",$row}"
rpc "$INGEST" $I/SubmitBatch lixin-office audit "{\"submission_id\":\"g-2\",$row}"
rpc "$INGEST" $I/GetSchool clerk-yongxing ops "{$school}"
rpc "$INGEST" $I/ListSchools audit province-reader '{"term":"2015-autumn"}'
rpc "$INGEST" $I/Watch ops lixin-office '{"after_revision":0}'
rpc "$INGEST" $I/Compact ops lixin-office '{"revision":1}'
rpc "$AUDIT" $A/ListCounties clerk-yongxing audit '{"term":"2015-autumn"}'
rpc "$AUDIT" $A/GetCountyReport province-reader clerk-yongxing '{"term":"2015-autumn","county":"利辛县"}'
rpc "$AUDIT" $A/GetDistrictReport clerk-yongxing ops '{"term":"2015-autumn","county":"利辛县","district":"永兴"}'
rpc "$AUDIT" $A/ListGradeDiscrepancies lixin-office clerk-yongxing '{"term":"2015-autumn","county":"利辛县","district":"旧城"}'
rpc "$AUDIT" $A/ListAlerts province-reader audit '{"filter":{"term":"2015-autumn","county":"利辛县"}}'
rpc "$AUDIT" $A/WatchAlerts lixin-office ops '{"filter":{"term":"2015-autumn"}}'
if "$GRPCURL" -plaintext -max-time 3 "$INGEST" list >/dev/null 2>&1; then
  fail "grpcurl -plaintext got in"
fi
if "$GRPCURL" -cacert "$PKI/ca.pem" -max-time 3 "$INGEST" list >/dev/null 2>&1; then
  fail "grpcurl without a client certificate got in"
fi
echo "PASS"
