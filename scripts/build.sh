#!/bin/sh
# Configures and builds sectrans into ./build (RelWithDebInfo: the ABI
# checker needs debug info). Extra arguments go to cmake's configure step.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPython3_EXECUTABLE="$(command -v python3)" "$@" >/dev/null
cmake --build "$root/build" -j "$(nproc)"
