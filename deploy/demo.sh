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
source deploy/start_service.sh
$keep || trap 'stop_services; rm -rf "$data"' EXIT

start_service "$bin" "$data" headcount-ingest ingest \
  --listen=127.0.0.1:0 --data_dir="$data/ingest"
start_service "$bin" "$data" headcount-audit audit \
  --listen=127.0.0.1:0 --data_dir="$data/audit" --ingest="$ingest"
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

The services keep running (pids ${SERVICE_PIDS[*]}), data in $data:
  $bin/headcount report --audit=$audit --term=2015-autumn --format=html > lixin.html
  $bin/headcount alerts --audit=$audit --follow
  grpcurl -plaintext $ingest list
Stop them with: kill ${SERVICE_PIDS[*]}
MSG
fi
