#!/usr/bin/env bash
# Installs what is needed, builds everything and runs every test: the suite
# (unit, end-to-end, fault and bad-input tests) in ./build, then each
# libFuzzer target for FUZZ_SECONDS (default 30) in ./build-fuzz.
# Usage: ./deploy/test.sh   (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
./deploy/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build
(cd build && ctest --output-on-failure -j2 --timeout 600)
FUZZ_SECONDS="${FUZZ_SECONDS:-30}" ./deploy/fuzz.sh
