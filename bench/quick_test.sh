#!/usr/bin/env bash
# headcount-bench --quick: every figure measured and printed beside its
# baseline, so that the benchmark cannot rot. No figure is judged here
# (figures are measured in BENCHMARKS.md, never asserted in a test).
# Usage: quick_test.sh BIN_DIR
set -euo pipefail
BIN=$1
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
"$BIN/headcount-bench" --quick > "$OUT"
figures=$(grep -c '^BENCH {' "$OUT" || true)
[ "$figures" = 44 ] || { cat "$OUT"; echo "FAIL: $figures figures, not 44" >&2; exit 1; }
if grep '^BENCH {' "$OUT" | grep -q '"baseline_median":0.0'; then
  cat "$OUT"; echo "FAIL: a baseline measured nothing" >&2; exit 1
fi
echo PASS
