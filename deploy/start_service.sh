# Sourced by deploy/demo.sh and the end-to-end tests: starts the service
# binaries on loopback and stops them again.
SERVICE_PIDS=()

# start_service BIN_DIR LOG_DIR NAME VARIABLE ARGS...: starts BIN_DIR/NAME
# with ARGS (stdout and stderr in LOG_DIR/NAME.out and .log), waits up to
# 10 s for its "listening on HOST:PORT" line and sets VARIABLE to HOST:PORT.
# Not to be called in $(...): the pid must be kept by the calling shell.
start_service() {
  local bin=$1 logs=$2 name=$3 variable=$4
  shift 4
  "$bin/$name" "$@" >"$logs/$name.out" 2>"$logs/$name.log" &
  SERVICE_PIDS+=($!)
  for _ in $(seq 100); do
    if grep -q '^listening on ' "$logs/$name.out"; then
      printf -v "$variable" '%s' "$(sed -n 's/^listening on //p' "$logs/$name.out")"
      return
    fi
    sleep 0.1
  done
  echo "$name did not start; its log:" >&2
  cat "$logs/$name.log" >&2
  exit 1
}

# Sends SIGTERM to every service started, and waits for them to drain.
stop_services() {
  for pid in "${SERVICE_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${SERVICE_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
