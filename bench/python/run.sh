#!/bin/bash
# The Python benchmark: the package `sectrans` against the standard `ssl`
# module over loopback TCP (see bench.py for the method).
#
#   bench/python/run.sh [BUILD_DIR]           full run: 15 interleaved pairs per
#                                             scenario, recorded in
#                                             bench/results/python.json (~1 min)
#   bench/python/run.sh --quick [BUILD_DIR]   smoke check: 3 short pairs,
#                                             prints, records nothing (~2 s)
#
# BUILD_DIR defaults to build/ and needs -DSECTRANS_BUILD_PYTHON=ON; the
# certificates come from tests/support/pki.py (python3-cryptography).
set -euo pipefail
. "$(dirname "$0")/../common.sh"
bench_parse_args "$@"
ls "$build"/python/sectrans/_sectrans*.so >/dev/null 2>&1 ||
  { echo "no Python module in $build/python (configure with -DSECTRANS_BUILD_PYTHON=ON)" >&2; exit 1; }
# The same TLS 1.3 suite on both sides (bench.py checks it).
export OPENSSL_CONF="$root/bench/python/openssl-aes128.cnf"
exec python3 "$root/bench/python/bench.py" --build-dir "$build" ${quick:+--quick}
