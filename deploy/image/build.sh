#!/usr/bin/env bash
# Builds the container image of the headcount binaries from Debian 12's
# archive alone (no registry): mmdebstrap makes a minimal bookworm root
# file system holding the runtime libraries the binaries link (found with
# ldd and dpkg -S on this machine), the binaries go to /usr/local/bin, a
# system user `headcount` (uid 10001) owns /var/lib/headcount, and
# `podman import` turns the tarball into an image. Checked by
# tests/deploy/image_test.sh.
# Usage: deploy/image/build.sh BIN_DIR [TAG]   (as root; default tag
#        headcount:VERSION from the ingest's --version)
set -euo pipefail
bin=$(cd "$1" && pwd)
tag=${2:-headcount:$("$bin/headcount-ingest" --version | awk '{print $2}')}
for tool in mmdebstrap podman; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool is not installed" >&2; exit 1; }
done
binaries=("$bin/headcount-ingest" "$bin/headcount-audit" "$bin/headcount")
# The Debian package of every shared library the binaries load.
packages=$(for b in "${binaries[@]}"; do ldd "$b"; done |
  awk '/=> \// { print $3 }' | sort -u |
  while read -r lib; do
    dpkg -S "$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")" 2>/dev/null || true
  done | cut -d: -f1 | sort -u | paste -sd, -)
work=$(mktemp -d "${TMPDIR:-/tmp}/headcount-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
mmdebstrap --quiet --variant=minbase --include="ca-certificates,$packages" \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --customize-hook="copy-in ${binaries[*]} /usr/local/bin" \
  --customize-hook='chroot "$1" useradd --uid 10001 --user-group --home-dir /var/lib/headcount --create-home --shell /usr/sbin/nologin headcount' \
  --customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/*' \
  bookworm "$work/rootfs.tar"
podman import --quiet \
  --change 'USER 10001' \
  --change 'WORKDIR /var/lib/headcount' \
  --change 'ENTRYPOINT ["/usr/local/bin/headcount-ingest"]' \
  --change 'EXPOSE 50051' --change 'EXPOSE 50052' \
  --change 'EXPOSE 9151' --change 'EXPOSE 9152' \
  --change 'EXPOSE 50061' --change 'EXPOSE 50062' \
  "$work/rootfs.tar" "$tag" >/dev/null
echo "$tag ($(podman image inspect --format '{{.Size}}' "$tag" | awk '{ printf "%.0f MiB", $1 / 1048576 }'), from: ${packages//,/ })"
