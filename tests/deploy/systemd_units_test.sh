#!/usr/bin/env bash
# The systemd units in deploy/systemd/: systemd-analyze verify finds
# nothing to say (with the binaries of this build in ExecStart), the
# hardening keeps the exposure score at "OK" or better, and the stop
# timeout outlasts the drain. They are not started here (no systemd as
# PID 1 on the test machines).
# Usage: systemd_units_test.sh BIN_DIR SOURCE_DIR
set -euo pipefail
BIN=$(cd "$1" && pwd)
SOURCE=$2
if ! command -v systemd-analyze >/dev/null; then
  echo "SKIP: no systemd-analyze (apt-get install systemd)"
  exit 77
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/headcount-units.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
for unit in headcount-ingest headcount-audit; do
  sed "s|/usr/local/bin/|$BIN/|" "$SOURCE/deploy/systemd/$unit.service" >"$WORK/$unit.service"
done
cd "$WORK"
out=$(systemd-analyze verify --man=no headcount-ingest.service headcount-audit.service 2>&1) ||
  fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify has warnings: $out"
for unit in headcount-ingest headcount-audit; do
  score=$(systemd-analyze security --offline=yes "$unit.service" 2>&1 |
    sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p')
  [ -n "$score" ] || fail "no exposure score for $unit"
  awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' || fail "$unit exposure $score > 2.0"
  grep -q '^TimeoutStopSec=30$' "$unit.service" || fail "$unit: stop timeout"
  grep -q '^Restart=on-failure$' "$unit.service" || fail "$unit: restart"
  grep -q '^DynamicUser=yes$' "$unit.service" || fail "$unit: own user"
  echo "$unit: verified, exposure $score"
done
# Every flag in ExecStart is one the binary knows (an unknown one would
# stop it at start).
for unit in headcount-ingest headcount-audit; do
  flags=$(sed -n '/^ExecStart=/,/^[^ ]/p' "$unit.service" | grep -o -- '--[a-z_]*' | sort -u)
  help=$("$BIN/$unit" --help 2>&1 || true)
  for flag in $flags; do
    grep -q -- "$flag " <<<"$help" || fail "$unit.service uses $flag, which $unit does not know"
  done
done
echo PASS
