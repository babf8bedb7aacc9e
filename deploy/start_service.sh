# Sourced by deploy/demo.sh and the end-to-end tests: starts the service
# binaries on loopback and stops them again.
SERVICE_PIDS=()
# Client TLS options for the health check of services that require mutual
# TLS (any certificate of their CA will do), e.g.
#   HEALTH_TLS=(--ca=ca.pem --cert=operator.pem --key=operator.key)
HEALTH_TLS=()

# start_service BIN_DIR LOG_DIR NAME VARIABLE ARGS...: starts BIN_DIR/NAME
# with ARGS (stdout and stderr in LOG_DIR/NAME.out and .log), reads the
# address from its "listening on HOST:PORT" line, then waits until its
# health is SERVING (BIN_DIR/headcount health --wait; an audit serves once
# it has caught up with the ingest), up to START_SERVICE_TIMEOUT seconds
# each (default 60: sanitizer builds open stores and catch up slowly), and
# sets VARIABLE to HOST:PORT. A service that exits or never serves is
# stopped and fails the caller with its log.
# Not to be called in $(...): the pid must be kept by the calling shell.
start_service() {
  local bin=$1 logs=$2 name=$3 variable=$4
  shift 4
  "$bin/$name" "$@" >"$logs/$name.out" 2>"$logs/$name.log" &
  local pid=$!
  SERVICE_PIDS+=($pid)
  local address=""
  local timeout=${START_SERVICE_TIMEOUT:-60}
  for _ in $(seq $((timeout * 10))); do
    if grep -q '^listening on ' "$logs/$name.out"; then
      address=$(sed -n 's/^listening on //p' "$logs/$name.out")
      break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -n "$address" ] &&
      "$bin/headcount" health --wait="$timeout" "${HEALTH_TLS[@]}" "$address" \
        >/dev/null 2>&1; then
    printf -v "$variable" '%s' "$address"
    return
  fi
  echo "$name did not start serving; its log:" >&2
  cat "$logs/$name.log" >&2
  # Not left running: a caller that exits here (often a subshell) never
  # reaches stop_services for it.
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  exit 1
}

# Sends SIGTERM to every service started, and waits for them to drain.
stop_services() {
  for pid in "${SERVICE_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${SERVICE_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
