# Sourced by the end-to-end tests: starts headcount-ingest and
# headcount-audit on loopback (port 0) with data in a temporary directory,
# and stops them when the test exits.
# Needs BIN (the build's bin folder). Sets WORK, INGEST, AUDIT.
set -euo pipefail
WORK=$(mktemp -d "${TMPDIR:-/tmp}/headcount-e2e.XXXXXX")
SERVICE_PIDS=()
stop_services() {
  for pid in "${SERVICE_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${SERVICE_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap stop_services EXIT

# start_service NAME VARIABLE ARGS...: starts NAME and sets VARIABLE to the
# address it listens on. (Not in $(...): the pid must be kept by this shell.)
start_service() {
  local name=$1 variable=$2; shift 2
  "$BIN/$name" "$@" >"$WORK/$name.out" 2>"$WORK/$name.log" &
  SERVICE_PIDS+=($!)
  for _ in $(seq 100); do
    if grep -q '^listening on ' "$WORK/$name.out"; then
      printf -v "$variable" '%s' "$(sed -n 's/^listening on //p' "$WORK/$name.out")"
      return
    fi
    sleep 0.1
  done
  echo "FAIL: $name did not start" >&2
  cat "$WORK/$name.log" >&2
  exit 1
}

start_service headcount-ingest INGEST --listen=127.0.0.1:0 --data_dir="$WORK/ingest"
start_service headcount-audit AUDIT --listen=127.0.0.1:0 --data_dir="$WORK/audit" \
  --ingest="$INGEST"

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
