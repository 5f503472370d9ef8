#!/bin/sh
# Installs the Debian packages dlc builds against, if any are missing.
# Works as root (no sudo needed) and as a user with sudo.
set -eu

packages="libopenblas-dev libgraphviz-dev libhdf5-dev pkg-config gcc make valgrind qemu-user"
missing=""
for package in $packages; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  run_as_root=""
elif command -v sudo >/dev/null 2>&1; then
  run_as_root="sudo"
else
  echo "install-deps: need root or sudo to install:$missing" >&2
  exit 1
fi
echo "install-deps: installing$missing" >&2
$run_as_root apt-get update -q
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $run_as_root apt-get install -y -q --no-install-recommends $missing
