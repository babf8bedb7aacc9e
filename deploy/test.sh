#!/usr/bin/env bash
# Installs what is needed, builds everything and runs every test.
# Usage: ./deploy/test.sh   (from the repository root; build in ./build)
set -euo pipefail
cd "$(dirname "$0")/.."
./deploy/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build
cd build
ctest --output-on-failure -j2 --timeout 600
