#!/usr/bin/env bash
# Builds the libFuzzer targets (the CSV and .xlsx readers, request parsing and
# validation) with clang into build-fuzz and fuzzes each for a bounded time.
# Usage: FUZZ_SECONDS=60 ./deploy/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
./deploy/install-deps.sh
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DHEADCOUNT_FUZZ=ON \
  -DHEADCOUNT_FUZZ_SECONDS="${FUZZ_SECONDS:-60}" >/dev/null
cmake --build build-fuzz
cd build-fuzz
ctest --output-on-failure
