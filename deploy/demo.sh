#!/usr/bin/env bash
# Command one: from a fresh clone to the Lixin 2015 table and its alerts.
# Installs what is missing (apt), builds, makes a throwaway CA and
# certificates (deploy/pki.sh), starts both services on loopback with mutual
# TLS and a policy, RocksDB in a temporary directory, shows a clerk of 永兴
# refused when sending the whole county, loads the notice's fixture (the GBK
# spreadsheet) as 利辛县's office, prints the county table and the open
# alerts, then stops the services. With --keep they stay up and the script
# says how to reach them.
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

# Certificates: one per principal, named by its CN; the policy binds them.
pki=$data/pki
./deploy/pki.sh example "$pki"
tls=(--tls_cert="$pki/server.pem" --tls_key="$pki/server.key"
     --tls_client_ca="$pki/ca.pem" --policy="$pki/policy.json")
HEALTH_TLS=(--ca="$pki/ca.pem" --cert="$pki/ops.pem" --key="$pki/ops.key")
start_service "$bin" "$data" headcount-ingest ingest \
  --listen=127.0.0.1:0 --data_dir="$data/ingest" "${tls[@]}"
start_service "$bin" "$data" headcount-audit audit \
  --listen=127.0.0.1:0 --data_dir="$data/audit" --ingest="$ingest" "${tls[@]}" \
  --ingest_ca="$pki/ca.pem" --ingest_cert="$pki/audit.pem" --ingest_key="$pki/audit.key"
echo "ingest on $ingest, audit on $audit (mutual TLS), data and certificates in $data"

# The client finds its certificate in HEADCOUNT_CA/CERT/KEY (or --ca ...).
export HEADCOUNT_CA=$pki/ca.pem
as() {  # as PRINCIPAL COMMAND...
  local who=$1
  shift
  HEADCOUNT_CERT="$pki/$who.pem" HEADCOUNT_KEY="$pki/$who.key" "$@"
}
echo
echo "A clerk of 永兴 sends the whole county's file:"
if as clerk-yongxing "$bin/headcount" submit --ingest="$ingest" "$fixture"; then
  echo "demo: the cross-district write was accepted" >&2
  exit 1
fi
echo
echo "利辛县's office sends it:"
summary=$(as lixin-office "$bin/headcount" submit --ingest="$ingest" "$fixture")
echo "$summary"
revision=$(sed -n 's/.*revision \([0-9]*\).*/\1/p' <<<"$summary")

# The audit follows the ingest feed; wait until it has applied the load.
for _ in $(seq 100); do
  if as province-reader "$bin/headcount" report --audit="$audit" --term=2015-autumn 2>/dev/null |
      head -n 1 | grep -q "(revision ${revision:-1})"; then
    break
  fi
  sleep 0.1
done
echo
as province-reader "$bin/headcount" report --audit="$audit" --term=2015-autumn
echo
echo "Open district alerts:"
as province-reader "$bin/headcount" alerts --audit="$audit" --level=district
echo
echo "Open grade alerts:"
as province-reader "$bin/headcount" alerts --audit="$audit" --level=grade
echo
echo "Who sent what (the ingest's log):"
grep -E "Submit(Batch)? principal=" "$data/headcount-ingest.log"

if $keep; then
  cat <<MSG

The services keep running (pids ${SERVICE_PIDS[*]}), data in $data:
  export HEADCOUNT_CA=$pki/ca.pem HEADCOUNT_CERT=$pki/lixin-office.pem HEADCOUNT_KEY=$pki/lixin-office.key
  $bin/headcount report --audit=$audit --term=2015-autumn --format=html > lixin.html
  $bin/headcount alerts --audit=$audit --follow
  grpcurl -cacert $pki/ca.pem -cert $pki/ops.pem -key $pki/ops.key $ingest list
Stop them with: kill ${SERVICE_PIDS[*]}
MSG
fi
