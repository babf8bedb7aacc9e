#!/usr/bin/env bash
# The Kubernetes manifests in deploy/kubernetes/, with the Secrets that
# deploy/kubernetes/secrets.sh makes from a throwaway PKI: every object
# valid against the Kubernetes schemas and the references between them
# whole (kubernetes_check.js, npm's kubernetes-models), the image tag the
# version deploy/image/build.sh tags, every flag known to its binary; then
# both binaries run here with the manifests' own arguments and Secrets
# (paths and addresses moved to loopback): the gRPC probes' questions on
# the health listeners answer SERVING without a client certificate, the
# audit follows the ingest with the follower certificate, and a county
# office's submission reaches a reader's report. No cluster is started.
# Usage: kubernetes_test.sh BIN_DIR FIXTURE_DIR SOURCE_DIR NPM_DIR
# (NPM_DIR in the build tree). Exit 77 (skipped) without node and npm.
set -euo pipefail
BIN=$(cd "$1" && pwd)
FIXTURE=$2
SOURCE=$3
NPM_DIR=$4
here=$(cd "$(dirname "$0")" && pwd)
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
source "$here/../npm_packages.sh"
npm_packages "$NPM_DIR" kubernetes-models@4.5.1 js-yaml@4.1.0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/headcount-k8s.XXXXXX")
source "$SOURCE/deploy/start_service.sh"
trap 'stop_services; rm -rf "$WORK"' EXIT
PKI=$WORK/pki
"$SOURCE/deploy/pki.sh" example "$PKI"
"$SOURCE/deploy/pki.sh" server "$PKI" ingest headcount-ingest
"$SOURCE/deploy/pki.sh" server "$PKI" audit-server headcount-audit
"$SOURCE/deploy/kubernetes/secrets.sh" "$PKI" >"$WORK/secrets.yaml"
mkdir -p "$WORK/run"
NODE_PATH="$NPM_DIR/node_modules" node "$here/kubernetes_check.js" "$WORK/run" \
  "$SOURCE"/deploy/kubernetes/*.yaml "$WORK/secrets.yaml"

version=$("$BIN/headcount-ingest" --version | awk '{print $2}')
for manifest in "$SOURCE"/deploy/kubernetes/*.yaml; do
  grep -E '^\s+image:' "$manifest" | grep -qv "image: headcount:$version$" &&
    fail "$(basename "$manifest"): image is not headcount:$version (deploy/image/build.sh's tag)"
done

for set in headcount-ingest headcount-audit; do
  command=$(cat "$WORK/run/$set.command")
  help=$("$BIN/$command" --help 2>&1 || true)
  while read -r arg; do
    flag=${arg%%=*}
    grep -q -- "$flag " <<<"$help" || fail "$set passes $flag, which $command does not know"
  done <"$WORK/run/$set.args"
done

# Both services as the pods would run them.
HEALTH_TLS=(--ca="$PKI/ca.pem" --cert="$PKI/ops.pem" --key="$PKI/ops.key")
mapfile -t ingest_args <"$WORK/run/headcount-ingest.args"
start_service "$BIN" "$WORK" headcount-ingest INGEST "${ingest_args[@]}"
mapfile -t audit_args < <(sed "s|=headcount-ingest:50051$|=$INGEST|" "$WORK/run/headcount-audit.args")
start_service "$BIN" "$WORK" headcount-audit AUDIT "${audit_args[@]}"

# What the kubelet asks, with no certificate: "" for startup and
# liveness, the readiness probe's service.
for set in headcount-ingest headcount-audit; do
  probe=$(sed -n 's/^health on //p' "$WORK/$set.out")
  [ -n "$probe" ] || fail "$set printed no 'health on' line"
  readiness=$(cat "$WORK/run/$set.readiness")
  "$BIN/headcount" health "$probe" >/dev/null || fail "$set: liveness is not SERVING"
  "$BIN/headcount" health --service="$readiness" "$probe" >/dev/null ||
    fail "$set: readiness ($readiness) is not SERVING"
  # The main port still wants a client certificate.
  if "$BIN/headcount" health "$(sed -n 's/^listening on //p' "$WORK/$set.out")" >/dev/null 2>&1; then
    fail "$set answered health without TLS on its main port"
  fi
  echo "$set: probes SERVING on $probe ($readiness)"
done

tls() { echo --ca="$PKI/ca.pem" --cert="$PKI/$1.pem" --key="$PKI/$1.key"; }
# shellcheck disable=SC2046
"$BIN/headcount" submit --ingest="$INGEST" $(tls lixin-office) "$FIXTURE/headcounts.csv" >/dev/null
for _ in $(seq 600); do
  # shellcheck disable=SC2046
  out=$("$BIN/headcount" report --audit="$AUDIT" $(tls province-reader) \
    --term=2015-autumn --county=利辛县 --format=tsv 2>/dev/null || true)
  grep -q '^合计' <<<"$out" && break
  sleep 0.1
done
grep -q '^合计		60135	60216	81	' <<<"$out" || fail "the audit's report: $out"
echo PASS
