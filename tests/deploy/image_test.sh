#!/usr/bin/env bash
# The container image of deploy/image/build.sh: built from Debian's archive
# (mmdebstrap, podman import), then both services run from it under podman
# on the host's loopback, with their data on a host directory; the host's
# client submits the fixture and reads the notice's table back byte for
# byte; the image's own client answers health. Skipped (77) when not root
# or without podman or mmdebstrap.
# Usage: image_test.sh BIN_DIR FIXTURE_DIR SOURCE_DIR
set -euo pipefail
BIN=$(cd "$1" && pwd)
FIXTURE=$2
SOURCE=$3
if [ "$(id -u)" != 0 ] || ! command -v podman >/dev/null || ! command -v mmdebstrap >/dev/null; then
  echo "SKIP: needs root, podman and mmdebstrap (apt-get install podman mmdebstrap)"
  exit 77
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/headcount-image-test.XXXXXX")
tag=localhost/headcount:test-$$
names=()
cleanup() {
  for name in "${names[@]}"; do podman rm -f "$name" >/dev/null 2>&1 || true; done
  podman rmi -f "$tag" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

start=$(date +%s)
if ! "$SOURCE/deploy/image/build.sh" "$BIN" "$tag" > "$WORK/build.txt" 2>&1; then
  # The Debian archive out of reach is this machine's problem, not the
  # script's: skip, saying so. Anything else fails.
  if grep -Eq "Failed to fetch|Temporary failure resolving|Could not resolve|Unable to fetch" "$WORK/build.txt"; then
    echo "SKIP: the Debian archive could not be reached: $(grep -Em1 "Failed to fetch|Temporary failure|Could not resolve|Unable to fetch" "$WORK/build.txt")"
    exit 77
  fi
  fail "image build: $(tail -n 20 "$WORK/build.txt")"
fi
echo "built $(cat "$WORK/build.txt") in $(( $(date +%s) - start )) s"

# Run from the image. Under podman when it can run containers here; this
# machine's sandbox refuses crun's setrlimit (RLIMIT_NOFILE: Operation not
# permitted), so the image's own file system (podman export) is then run
# with chroot and setpriv as its user instead: the same binaries and
# libraries, without the container runtime.
if podman run --rm --ulimit=host --entrypoint /usr/local/bin/headcount-ingest "$tag" --version \
    > "$WORK/podman.txt" 2>&1; then
  mode=podman
else
  mode=chroot
  echo "podman cannot run containers here ($(tail -n 1 "$WORK/podman.txt")); running the image's file system with chroot"
  podman create --name hc-export-$$ "$tag" >/dev/null
  names+=(hc-export-$$)
  mkdir "$WORK/rootfs"
  podman export hc-export-$$ | tar -x -C "$WORK/rootfs"
fi
grep -q "^headcount-ingest " < <(
  if [ "$mode" = podman ]; then cat "$WORK/podman.txt"
  else chroot "$WORK/rootfs" /usr/local/bin/headcount-ingest --version; fi) ||
  fail "--version from the image"

mkdir -p "$WORK/data"
chown 10001:10001 "$WORK/data"
pids=()
# run NAME ENTRYPOINT ARGS...: a service from the image on the host's
# loopback, its data in $WORK/data, its output in $WORK/NAME.out.
run() {
  local name=$1 entrypoint=$2
  shift 2
  if [ "$mode" = podman ]; then
    names+=("$name")
    podman run -d --name "$name" --network=host --ulimit=host \
      -v "$WORK/data:/var/lib/headcount" --entrypoint "$entrypoint" "$tag" "$@" >/dev/null ||
      fail "podman run $name"
  else
    mkdir -p "$WORK/rootfs/var/lib/headcount"
    mountpoint -q "$WORK/rootfs/var/lib/headcount" ||
      mount --bind "$WORK/data" "$WORK/rootfs/var/lib/headcount" 2>/dev/null ||
      true  # else the services write into the copy itself
    chroot "$WORK/rootfs" /usr/bin/setpriv --reuid=10001 --regid=10001 --clear-groups \
      "$entrypoint" "$@" >"$WORK/$name.out" 2>&1 &
    pids+=($!)
  fi
}
logs() {
  if [ "$mode" = podman ]; then podman logs "$1" 2>&1; else cat "$WORK/$1.out"; fi
}
address_of() {
  for _ in $(seq 100); do
    local address
    address=$(logs "$1" | sed -n 's/^listening on //p')
    [ -n "$address" ] && { echo "$address"; return; }
    sleep 0.1
  done
  fail "$1 did not start: $(logs "$1" | tail -n 5)"
}
stop_all() {
  if [ "$mode" = podman ]; then
    podman stop -t 20 "${names[@]}" >/dev/null 2>&1 || true
  else
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    while mountpoint -q "$WORK/rootfs/var/lib/headcount"; do
      umount "$WORK/rootfs/var/lib/headcount" || break
    done
  fi
}
trap 'stop_all; cleanup' EXIT

run hc-ingest-$$ /usr/local/bin/headcount-ingest --listen=127.0.0.1:0 --data_dir=/var/lib/headcount/ingest
ingest=$(address_of hc-ingest-$$)
run hc-audit-$$ /usr/local/bin/headcount-audit --listen=127.0.0.1:0 --data_dir=/var/lib/headcount/audit --ingest="$ingest"
audit=$(address_of hc-audit-$$)
"$BIN/headcount" health --wait=20 "$audit" >/dev/null || fail "the audit from the image never served"
if [ "$mode" = podman ]; then
  podman run --rm --network=host --ulimit=host --entrypoint /usr/local/bin/headcount "$tag" \
    health --wait=10 "$ingest" > "$WORK/health.txt"
else
  chroot "$WORK/rootfs" /usr/local/bin/headcount health --wait=10 "$ingest" > "$WORK/health.txt"
fi
grep -q '^SERVING$' "$WORK/health.txt" || fail "the image's own client"

"$BIN/headcount" submit --ingest="$ingest" "$FIXTURE/headcounts.gbk.csv" >/dev/null || fail "submit"
for _ in $(seq 100); do
  "$BIN/headcount" report --audit="$audit" --term=2015-autumn --format=tsv > "$WORK/report.tsv" 2>/dev/null &&
    cmp -s "$WORK/report.tsv" "$FIXTURE/expected_districts.tsv" && break
  sleep 0.1
done
cmp "$WORK/report.tsv" "$FIXTURE/expected_districts.tsv" || fail "the table from the image differs"
[ "$(stat -c %u "$WORK/data/ingest")" = 10001 ] || fail "data not owned by uid 10001"
stop_all
logs hc-ingest-$$ | grep -q "stopped" || fail "the ingest did not drain on stop"
echo "PASS ($mode)"
