#!/bin/bash
# The Lua benchmark: sectrans against LuaSec (see bench.lua), pinned to one
# CPU (client and server share one Lua process).
#
#   bench/lua/run.sh [BUILD_DIR]           full run: 15 interleaved pairs,
#                                          recorded in bench/results/lua.json
#   bench/lua/run.sh --quick [BUILD_DIR]   smoke check: 3 short pairs,
#                                          prints, records nothing (~2 s)
#
# BUILD_DIR defaults to build/ and needs -DSECTRANS_BUILD_LUA=ON. Needs
# lua5.4, lua-socket, lua-sec and python3-cryptography (the certificates
# come from tests/support/pki.py).
set -euo pipefail
. "$(dirname "$0")/../common.sh"
bench_parse_args "$@"
[ -f "$build/lua/sectrans.so" ] || { echo "no $build/lua/sectrans.so" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$root/tests/support" "$work" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import pki
pki.Pki(sys.argv[2])
PY
out="$root/bench/results/lua.json"
if [ -n "$quick" ]; then
  export PAIRS=3 BULK_MB=8 HANDSHAKES=50
  out="$work/lua.json"
fi
mkdir -p "$(dirname "$out")"
CA_FILE="$work/root.pem" CERT_FILE="$work/leaf-ecdsa-p256.chain.pem" \
KEY_FILE="$work/leaf-ecdsa-p256.key.pem" OUT="$out" \
MACHINE="$(bench_machine)" \
LUA_CPATH="$build/lua/?.so;;" \
  taskset -c "$cpu" lua5.4 "$root/bench/lua/bench.lua"
if [ -n "$quick" ]; then
  echo "quick run: nothing recorded"
else
  echo "wrote $out"
fi
