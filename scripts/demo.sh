#!/bin/sh
# One command from a fresh Debian 12 machine to a TLS handshake:
# installs what is missing, builds, and runs `sectrans demo`.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup-debian.sh" demo
"$root/scripts/build.sh" -DSECTRANS_BUILD_PYTHON=OFF -DSECTRANS_BUILD_TESTS=OFF \
  -DSECTRANS_BUILD_LUA=OFF
exec "$root/build/cli/sectrans" demo "$@"
