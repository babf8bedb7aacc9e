#!/usr/bin/env bash
# Builds the whole suite under ASan + UBSan and/or TSan, each in its own
# build folder, and runs every test. .ci/run calls it for both.
# Usage: ./deploy/sanitizers.sh [address|thread]   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
./deploy/install-deps.sh
root=$(pwd)
kinds=("${@:-address}")
[ $# -eq 0 ] && kinds=(address thread)
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export LSAN_OPTIONS="suppressions=$root/tests/lsan.supp"
export TSAN_OPTIONS="suppressions=$root/tests/tsan.supp:halt_on_error=1:second_deadlock_stack=1"
for kind in "${kinds[@]}"; do
  dir="build-$kind"
  echo "== $kind sanitizer build in $dir"
  # -O1 -g1, as the sanitizers' own documentation advises: line tables are
  # all a report's stack needs, and the two builds take half the time of
  # -O2 -g (measured: a test file of the audit, 90 s against 43 s).
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
    -DHEADCOUNT_SANITIZE="$kind" >/dev/null
  cmake --build "$dir"
  # The memory figures of SlowConsumerTest and of the paused-watcher and
  # concurrent-batch tests mean nothing under a sanitizer's allocator (it
  # keeps freed memory in quarantine); the container image (image_e2e)
  # packs release binaries, not sanitized ones; the benchmark (bench_quick)
  # measures speed, which a sanitizer changes; everything else runs.
  # TSan slows everything about tenfold: one test at a time keeps the
  # timing-dependent fault tests within their bounds.
  jobs=2
  [ "$kind" = thread ] && jobs=1
  (cd "$dir" && ctest --output-on-failure -j"$jobs" --timeout 900 \
    -E 'StalledWatchersDoNotGrowMemory|PausedWatchersOfALargeRevisionHoldLittle|ConcurrentLargeBatchesStayBoundedAndGiveMemoryBack|image_e2e|bench_quick')
done
