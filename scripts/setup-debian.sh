#!/bin/sh
# Installs what sectrans needs on Debian 12, skipping what is already there.
#   setup-debian.sh demo   build tools and BoringSSL only
#   setup-debian.sh test   everything the test suite uses (the default)
set -eu

need=${1:-test}
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

apt_packages="build-essential cmake pkg-config android-libboringssl-dev"
if [ "$need" = test ]; then
  apt_packages="$apt_packages swig python3-dev openssl libssl-dev gnutls-bin
    valgrind abigail-tools binutils
    lua5.4 liblua5.4-dev lua-socket lua-sec"
fi

missing=""
for p in $apt_packages; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup: installing Debian packages:$missing"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q $missing
fi

if [ "$need" = test ]; then
  python3 - <<'PY' || python3 -m pip install -q -r "$(dirname "$0")/../tests/requirements.txt"
import importlib.util, sys
mods = ["pytest", "xdist", "cryptography"]
sys.exit(0 if all(importlib.util.find_spec(m) for m in mods) else 1)
PY
fi
