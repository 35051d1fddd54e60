#!/bin/sh
# bench/c/run.sh: builds the C benchmark and runs it pinned to CPU 0, first
# against raw BoringSSL, then (when built) against raw OpenSSL 3.
#
#   bench/c/run.sh                  full run (15 pairs of 0.3 s runs per
#                                   scenario, then instruction counts), recorded
#                                   in bench/results/c.json
#   bench/c/run.sh --quick          smoke check (3 pairs of 0.05 s), records nothing
#   bench/c/run.sh --pairs 31 ...   any option of sectrans-bench (see --help)
#   bench/c/run.sh --instructions   instruction counts under callgrind
#                                   (--scenario NAME picks some)
#
# Build directory: $SECTRANS_BENCH_BUILD_DIR, default build-bench/.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${SECTRANS_BENCH_BUILD_DIR:-$root/build-bench}
record=$root/bench/results/c.json

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSECTRANS_BUILD_BENCH=ON -DSECTRANS_BUILD_PYTHON=OFF >/dev/null
targets=sectrans-bench
if grep -q '^OPENSSL_SSL_LIBRARY:.*libssl' "$build/CMakeCache.txt"; then
  targets="$targets sectrans-bench-openssl3"
fi
# shellcheck disable=SC2086 # two target names
cmake --build "$build" -j2 --target $targets >/dev/null

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Instruction counts of one program: one callgrind dump per subject and
# scenario, described "<subject> <scenario> <iterations>". Prints a table;
# with $record_instructions set, also writes them as results to that file.
count_instructions() {
  program=$1
  shift
  taskset -c 0 valgrind --tool=callgrind --collect-atstart=no \
    --callgrind-out-file="$out/cg" "$build/bench/c/$program" --instructions "$@" \
    2>"$out/valgrind.log" || { cat "$out/valgrind.log" >&2; exit 1; }
  for dump in "$out"/cg.*; do
    awk '/^desc: Trigger: Client Request:/ { print $5, $6, $7 }
         /^(summary|totals):/ { print $2; exit }' "$dump" | paste -sd' '
  done | awk -v json="${record_instructions:-}" '
    { per[$2, $1] = $4 / $3; if ($1 != "sectrans") base = $1
      if (!($2 in seen)) { seen[$2] = 1; order[n++] = $2 } }
    END {
      unit["handshake-full"] = unit["handshake-resumed"] = "instructions/handshake"
      unit["bulk-16k"] = "instructions/MB"; unit["rtt-64"] = "instructions/round trip"
      printf "%-18s %-24s %14s %14s %8s\n", "scenario", "unit", "sectrans", base, "ratio"
      if (json != "") printf "{\"results\": [" > json
      for (i = 0; i < n; i++) {
        s = order[i]; k = s == "bulk-16k" ? 1e6 / 16384 : 1
        a = per[s, "sectrans"] * k; b = per[s, base] * k
        printf "%-18s %-24s %14.0f %14.0f %7.3fx\n", s, unit[s], a, b, b / a
        if (json != "")
          printf "%s{\"scenario\": \"%s\", \"subject\": \"sectrans\", \"baseline\": \"%s\", " \
                 "\"unit\": \"%s\", \"subject_median\": %.0f, \"baseline_median\": %.0f, " \
                 "\"ratio_median\": %.4f, \"ratio_min\": %.4f, \"ratio_max\": %.4f, " \
                 "\"pairs\": 1, \"group\": \"X25519\", \"certificate\": \"ECDSA P-256 leaf " \
                 "signed by an ECDSA P-256 CA\", \"notes\": \"callgrind instruction counts " \
                 "(deterministic, one run); ratio = %s / sectrans instructions, higher " \
                 "is better for sectrans\"}", i ? "," : "", s, base, unit[s], a, b,
                 b / a, b / a, b / a, base > json
      }
      if (json != "") print "]}" > json
      print "ratio = " base " / sectrans instructions (higher is better for sectrans)"
    }'
  rm -f "$out"/cg.*
}

# The recorded file: both programs' results in one "c" suite.
merge_records() {
  set -- "$out/boringssl.json"
  for file in "$out/openssl3.json" "$out"/instructions-*.json; do
    [ ! -e "$file" ] || set -- "$@" "$file"
  done
  python3 - "$record" "$@" <<'EOF'
import json, sys
runs = [json.load(open(path)) for path in sys.argv[2:]]
merged = dict(runs[0], results=[r for run in runs for r in run["results"]])
with open(sys.argv[1], "w") as out:
    head = {k: v for k, v in merged.items() if k != "results"}
    out.write(json.dumps(head)[:-1] + ', "results": [\n')
    out.write(",\n".join("  " + json.dumps(r) for r in merged["results"]))
    out.write("\n]}\n")
EOF
  echo "recorded $record"
}

mode=record
for arg in "$@"; do
  case $arg in
    --instructions) mode=instructions ;;
    --quick | --json) [ $mode = instructions ] || mode=plain ;;
  esac
done

for program in $targets; do
  [ "$program" = sectrans-bench ] && name=boringssl || name=openssl3
  case $mode in
    instructions)
      args=""
      for arg in "$@"; do [ "$arg" = --instructions ] || args="$args $arg"; done
      # shellcheck disable=SC2086 # scenario names have no spaces
      count_instructions "$program" $args ;;
    plain) taskset -c 0 "$build/bench/c/$program" "$@" ;;
    record)
      taskset -c 0 "$build/bench/c/$program" --json "$out/$name.json" "$@"
      echo
      record_instructions=$out/instructions-$name.json count_instructions "$program" ;;
  esac
  echo
done
[ $mode != record ] || merge_records
