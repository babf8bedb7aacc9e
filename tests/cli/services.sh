# Sourced by the end-to-end tests: starts headcount-ingest and
# headcount-audit on loopback (port 0) with data in a temporary directory,
# and stops them when the test exits.
# Needs BIN (the build's bin folder); AUDIT_FLAGS (an array), when set,
# adds flags to the audit's. Sets WORK, INGEST, AUDIT.
set -euo pipefail
WORK=$(mktemp -d "${TMPDIR:-/tmp}/headcount-e2e.XXXXXX")
source "$(dirname "${BASH_SOURCE[0]}")/../../deploy/start_service.sh"
trap 'stop_services; rm -rf "$WORK"' EXIT

start_service "$BIN" "$WORK" headcount-ingest INGEST \
  --listen=127.0.0.1:0 --data_dir="$WORK/ingest"
start_service "$BIN" "$WORK" headcount-audit AUDIT \
  --listen=127.0.0.1:0 --data_dir="$WORK/audit" --ingest="$INGEST" \
  ${AUDIT_FLAGS+"${AUDIT_FLAGS[@]}"}

# Waits until the audit's county report shows `revision`.
wait_for_revision() {
  for _ in $(seq 100); do
    if "$BIN/headcount" report --audit="$AUDIT" --term=2015-autumn \
        --county=利辛县 2>/dev/null | head -n 1 | grep -q "(revision $1)"; then
      return 0
    fi
    sleep 0.1
  done
  echo "FAIL: the audit did not reach revision $1" >&2
  exit 1
}

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
