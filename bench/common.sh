# bench/common.sh: what the Go, Lua and Python run.sh share, sourced by each
# (bash, after `set -euo pipefail`):
#
#   . "$(dirname "$0")/../common.sh"
#   bench_parse_args "$@"       # run.sh [--quick] [BUILD_DIR]
#
# sets
#   root   the repository
#   quick  1 with --quick (a smoke check that records nothing), else empty
#   build  BUILD_DIR as an absolute path, default build/ in the repository
#   cpu    the last CPU, the one a benchmark pins itself to
# and bench_machine prints "arch, N cores, CPU model" for the reports.

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cpu=$(( $(nproc) - 1 ))

bench_parse_args() {
  quick=
  if [ "${1:-}" = "--quick" ]; then
    quick=1
    shift
  fi
  build=$(cd "${1:-$root/build}" && pwd)
}

bench_machine() {
  echo "$(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
}
