#!/usr/bin/env bash
# Command one: from a fresh clone to the Lixin 2015 table and its alerts.
# Installs what is missing (apt), builds, starts both services on loopback
# with RocksDB in a temporary directory, loads the notice's fixture (the GBK
# spreadsheet), prints the county table and the open alerts, then stops the
# services. With --keep they stay up and the script says how to reach them.
set -euo pipefail
cd "$(dirname "$0")/.."
keep=false
case "${1:-}" in
  --keep) keep=true ;;
  "") ;;
  *) echo "usage: $0 [--keep]" >&2; exit 2 ;;
esac
fixture=../shared/fixtures/lixin-2015-autumn/headcounts.gbk.csv
if [ ! -f "$fixture" ]; then
  echo "demo: $fixture not found: ../shared must sit beside this clone" >&2
  exit 1
fi

./deploy/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target headcount-ingest headcount-audit headcount | tail -n 1
bin=build/bin

data=$(mktemp -d "${TMPDIR:-/tmp}/headcount-demo.XXXXXX")
pids=()
stop() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$data"
}
$keep || trap stop EXIT

# start NAME VARIABLE ARGS...: starts NAME and sets VARIABLE to the address
# it listens on. (Not in $(...): the pid must be kept by this shell.)
start() {
  local name=$1 variable=$2; shift 2
  "$bin/$name" "$@" >"$data/$name.out" 2>"$data/$name.log" &
  pids+=($!)
  for _ in $(seq 100); do
    if grep -q '^listening on ' "$data/$name.out"; then
      printf -v "$variable" '%s' "$(sed -n 's/^listening on //p' "$data/$name.out")"
      return
    fi
    sleep 0.1
  done
  echo "demo: $name did not start; its log:" >&2
  cat "$data/$name.log" >&2
  exit 1
}

start headcount-ingest ingest --listen=127.0.0.1:0 --data_dir="$data/ingest"
start headcount-audit audit --listen=127.0.0.1:0 --data_dir="$data/audit" \
  --ingest="$ingest"
echo "ingest on $ingest, audit on $audit, data in $data"

summary=$("$bin/headcount" submit --ingest="$ingest" "$fixture")
echo "$summary"
revision=$(sed -n 's/.*revision \([0-9]*\).*/\1/p' <<<"$summary")

# The audit follows the ingest feed; wait until it has applied the load.
for _ in $(seq 100); do
  if "$bin/headcount" report --audit="$audit" --term=2015-autumn 2>/dev/null |
      head -n 1 | grep -q "(revision ${revision:-1})"; then
    break
  fi
  sleep 0.1
done
echo
"$bin/headcount" report --audit="$audit" --term=2015-autumn
echo
echo "Open district alerts:"
"$bin/headcount" alerts --audit="$audit" --level=district
echo
echo "Open grade alerts:"
"$bin/headcount" alerts --audit="$audit" --level=grade

if $keep; then
  cat <<MSG

The services keep running (pids ${pids[*]}), data in $data:
  $bin/headcount report --audit=$audit --term=2015-autumn --format=html > lixin.html
  $bin/headcount alerts --audit=$audit --follow
  grpcurl -plaintext $ingest list
Stop them with: kill ${pids[*]}
MSG
fi
