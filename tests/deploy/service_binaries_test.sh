#!/usr/bin/env bash
# The server binaries as an operator meets them: --version names the
# commit, --help lists each binary's own flags with their defaults, a data
# directory that cannot be opened exits with the reason, and
# deploy/start_service.sh waits for SERVING, not for the "listening on" line.
# Usage: service_binaries_test.sh BIN_DIR SOURCE_DIR
set -euo pipefail
BIN=$1
SOURCE=$2
WORK=$(mktemp -d "${TMPDIR:-/tmp}/headcount-binaries.XXXXXX")
source "$SOURCE/deploy/start_service.sh"
trap 'stop_services; rm -rf "$WORK"' EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

commit=$(git -C "$SOURCE" rev-parse HEAD 2>/dev/null || echo "")
for binary in headcount-ingest headcount-audit; do
  version=$("$BIN/$binary" --version)
  grep -Eq "^$binary [0-9]+\.[0-9]+\.[0-9]+ \(commit [0-9a-f]{7,}" <<<"$version" ||
    fail "$binary --version: $version"
  if [ -n "$commit" ]; then
    grep -q "commit $commit" <<<"$version" || fail "$binary --version is not of $commit: $version"
  fi
  help=$("$BIN/$binary" --help 2>&1 || true)
  grep -q -- "--listen (.*); default: \"127.0.0.1:5005[12]\";" <<<"$(tr '\n' ' ' <<<"$help" | tr -s ' ')" ||
    fail "$binary --help lacks --listen with its default: $help"
  grep -q -- "--data_dir" <<<"$help" || fail "$binary --help lacks --data_dir"
  grep -q -- "--max_connections" <<<"$help" || fail "$binary --help lacks the shared flags"
  grep -q -- "--flagfile" <<<"$help" && fail "$binary --help lists Abseil's own flags"

  # A data directory that cannot be created, or is a file: exit 1, why.
  touch "$WORK/a-file"
  for dir in "$WORK/no/such/parent" "$WORK/a-file"; do
    code=0
    timeout 20 "$BIN/$binary" --listen=127.0.0.1:0 --data_dir="$dir" \
      >"$WORK/out" 2>"$WORK/err" || code=$?
    [ "$code" = 1 ] || fail "$binary --data_dir=$dir exited $code: $(cat "$WORK/err")"
    grep -q "cannot open the store in $dir: .*\(No such file or directory\|not a directory\)" "$WORK/err" ||
      fail "$binary --data_dir=$dir: $(cat "$WORK/err")"
    grep -q "listening on" "$WORK/out" && fail "$binary announced listening on a store it cannot open"
  done
done

# start_service: a service that listens but does not serve (its disk under
# the floor, so its store waits to open) is not "started".
if (START_SERVICE_TIMEOUT=5 start_service "$BIN" "$WORK" headcount-ingest NEVER --listen=127.0.0.1:0 \
      --data_dir="$WORK/ingest" --disk_floor_mib=100000000 2>"$WORK/start.err"); then
  fail "start_service accepted a NOT_SERVING ingest"
fi
grep -q "headcount-ingest did not start serving" "$WORK/start.err" || fail "start_service: $(cat "$WORK/start.err")"
grep -q "^listening on" "$WORK/headcount-ingest.out" || fail "the ingest did not listen"
# (The bracket keeps this grep's own command line from matching.)
left=$(for f in /proc/[0-9]*/cmdline; do tr '\0' ' ' <"$f" 2>/dev/null; echo; done |
  grep -- "--data_dir=$WORK/ingest --disk_floor_mib=10000000[0]" || true)
[ -z "$left" ] || fail "start_service left the ingest that never served running: $left"
start_service "$BIN" "$WORK" headcount-ingest INGEST --listen=127.0.0.1:0 --data_dir="$WORK/ingest2"
"$BIN/headcount" health "$INGEST" | grep -q '^SERVING$' || fail "health of a started ingest"
"$BIN/headcount" health --service=headcount.v1.IngestService "$INGEST" >/dev/null || fail "health of the service"
unknown=$("$BIN/headcount" health --service=nosuch "$INGEST" 2>&1) && fail "an unknown service is not serving"
grep -q "refused: service name unknown" <<<"$unknown" || fail "health of an unknown service: $unknown"
echo PASS
