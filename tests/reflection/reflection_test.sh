#!/usr/bin/env bash
# Runs reflection_test.js against both services on loopback. Installs its
# npm packages itself into NPM_DIR (in the build tree, ignored by git).
# Usage: reflection_test.sh BIN_DIR NPM_DIR. Exit 77 (skipped) without node.
BIN=$1
NPM_DIR=$2
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../npm_packages.sh"
npm_packages "$NPM_DIR" @grpc/grpc-js@1.14.7 grpc-js-reflection-client@1.4.2
source "$here/../cli/services.sh"
NODE_PATH="$NPM_DIR/node_modules" node "$here/reflection_test.js" "$INGEST" "$AUDIT"
