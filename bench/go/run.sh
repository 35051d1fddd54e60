#!/bin/bash
# The Go benchmark: the Go binding of sectrans against crypto/tls (see
# main.go), pinned to one CPU (client and server share one Go process).
#
#   bench/go/run.sh [BUILD_DIR]           full run: 15 interleaved pairs,
#                                         recorded in bench/results/go.json
#   bench/go/run.sh --quick [BUILD_DIR]   smoke check: 3 short pairs,
#                                         prints, records nothing (~5 s)
#
# BUILD_DIR defaults to build/; the binding builds against it through its
# sectrans-uninstalled.pc. Needs Go 1.25 or later (for CurveID checks).
set -euo pipefail
. "$(dirname "$0")/../common.sh"
bench_parse_args "$@"
[ -f "$build/sectrans-uninstalled.pc" ] || { echo "no $build/sectrans-uninstalled.pc" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PKG_CONFIG_PATH="$build" GOCACHE="$build/go-cache" GOTOOLCHAIN=local
(cd "$root/bench/go" && go build -o "$work/bench" .)
args=(-out "$root/bench/results/go.json")
if [ -n "$quick" ]; then
  args=(-pairs 3 -bulk-mb 8 -handshakes 30)
fi
taskset -c "$cpu" "$work/bench" -machine "$(bench_machine)" "${args[@]}"
if [ -n "$quick" ]; then
  echo "quick run: nothing recorded"
else
  echo "wrote bench/results/go.json"
fi
