#!/usr/bin/env bash
# Installs the Debian 12 packages headcount builds and tests with. Safe to
# run again: installs only what is missing. Runs apt as root, or via sudo.
set -euo pipefail
# Needed to build and run the services and their tests (openssl: the
# throwaway CA of deploy/pki.sh, used by the demo and the TLS tests; the
# client reads .xlsx with libzip and expat, .xls with FreeXL, writes .xlsx
# with libxlsxwriter; its tests make workbooks with openpyxl and xlwt;
# prometheus-cpp serves the metrics).
required=(
  build-essential cmake ninja-build ccache pkg-config python3
  clang libclang-rt-14-dev
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librocksdb-dev libabsl-dev libgtest-dev libgmock-dev libicu-dev libcli11-dev
  openssl libzip-dev libexpat1-dev libfreexl-dev libxlsxwriter-dev
  python3-openpyxl python3-xlwt prometheus-cpp-dev
)
# Needed by single tests, which skip without them: the browser check of the
# HTML report (chromium, and a font with Chinese glyphs) and the reflection
# check with a third-party client (node, npm), and promtool (in Debian's
# prometheus package) for the example alerting rules, systemd-analyze for
# the units, mmdebstrap and podman for the container image.
optional=(chromium fonts-wqy-zenhei prometheus systemd mmdebstrap podman)
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  optional+=(nodejs npm)
fi

missing() {
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
      echo "$p"
  done
}
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
apt_install() {
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq \
    --no-install-recommends "$@"
}

need=($(missing "${required[@]}"))
want=($(missing "${optional[@]}"))
if [ ${#need[@]} -eq 0 ] && [ ${#want[@]} -eq 0 ]; then
  exit 0
fi
"${sudo_cmd[@]}" apt-get update -qq
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  apt_install "${need[@]}"
fi
if [ ${#want[@]} -gt 0 ]; then
  echo "installing (optional, for single tests): ${want[*]}"
  apt_install "${want[@]}" ||
    echo "warning: could not install ${want[*]}; the tests that need them will skip"
fi
