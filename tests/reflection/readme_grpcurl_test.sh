#!/usr/bin/env bash
# Every grpcurl command of the README's grpcurl section (its -plaintext
# block, extracted here, so README and test cannot drift), run with the
# real grpcurl of ../shared/tools/grpcurl against both services on
# loopback, after the fixture; then `describe` of every service and of
# every message type reachable from them, through reflection alone.
# Usage: readme_grpcurl_test.sh BIN_DIR FIXTURE_DIR README GRPCURL
BIN=$1
FIXTURE=$2
README=$3
GRPCURL=$4
if [ ! -x "$GRPCURL" ]; then
  echo "SKIP: no grpcurl at $GRPCURL (see ../shared/tools/grpcurl/README.md)"
  exit 77
fi
source "$(dirname "$0")/../cli/services.sh"

# The README's block: the fenced sh block of the grpcurl section that uses
# -plaintext, with the example ports replaced by the test's.
/usr/bin/python3 - "$README" "$INGEST" "$AUDIT" > "$WORK/readme_commands.sh" <<'PY'
import re, sys
readme, ingest, audit = sys.argv[1:]
text = open(readme, encoding="utf-8").read()
section = text[text.index("### grpcurl"):]
section = section[:section.index("\n## ")]
blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
block = next(b for b in blocks if "-plaintext" in b)
print(block.replace("127.0.0.1:50051", ingest).replace("127.0.0.1:50052", audit))
PY
commands=$(grep -c '^grpcurl ' "$WORK/readme_commands.sh")
[ "$commands" -ge 15 ] || fail "found only $commands grpcurl commands in the README"

# Each command must succeed; the streams (Watch, WatchAlerts) run until
# -max-time and must have printed messages by then.
ran=0
grpcurl() {
  local out rc=0
  out=$("$GRPCURL" -max-time 3 "$@" 2>&1) || rc=$?
  ran=$((ran + 1))
  if [ "$rc" -ne 0 ]; then
    if [[ "$*" == *Watch* && "$out" == *DeadlineExceeded* && "$out" == *'{'* ]]; then
      return 0
    fi
    fail "README command failed (exit $rc): grpcurl $*
$out"
  fi
  printf '%s\n' "$out" >> "$WORK/outputs.txt"
}

"$BIN/headcount" submit --ingest="$INGEST" "$FIXTURE/headcounts.csv" >/dev/null
wait_for_revision 1
source "$WORK/readme_commands.sh"
[ "$ran" = "$commands" ] || fail "ran $ran of $commands commands"
grep -q '"status": "SERVING"' "$WORK/outputs.txt" || fail "no health answer"
grep -q '"name": "永兴"' "$WORK/outputs.txt" || fail "no county report"

# describe: every service, and every message type reachable from them.
for address in "$INGEST" "$AUDIT"; do
  declare -A seen=()
  pending=$("$GRPCURL" -plaintext "$address" list) || fail "list $address"
  while [ -n "$pending" ]; do
    next=""
    for symbol in $pending; do
      [ -n "${seen[$symbol]:-}" ] && continue
      seen[$symbol]=1
      out=$("$GRPCURL" -plaintext "$address" describe "$symbol" 2>&1) ||
        fail "describe $symbol at $address: $out"
      # Referenced types are written fully qualified with a leading dot.
      next+=" $(grep -oE '(^|[ (])\.[a-z][a-z0-9_.]*\.[A-Z][A-Za-z0-9_.]*' <<<"$out" |
        sed 's/^[ (]*\.//' | sort -u | tr '\n' ' ' || true)"
    done
    pending=""
    for s in $next; do
      if [ -z "${seen[$s]:-}" ]; then pending+=" $s"; fi
    done
  done
  [ "${#seen[@]}" -ge 10 ] || fail "described only ${#seen[@]} symbols at $address"
  echo "described ${#seen[@]} symbols at $address"
  unset seen
done
echo "PASS: $ran README commands"
