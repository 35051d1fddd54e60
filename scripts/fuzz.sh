#!/bin/bash
# Builds the libFuzzer targets of fuzz/ (clang-14, ASan + UBSan, BoringSSL
# linked directly) into build-fuzz, runs every input of fuzz/regressions/
# once, then fuzzes each target for FUZZ_SECONDS (default 20) on a copy of
# its seed corpus (fuzz/corpus/<target>/ is never grown by a run). Prints per
# target the executions and the coverage: libFuzzer's `cov:`, the edges of
# the instrumented code that were reached, out of all the edges it loaded
# (the core's own; apple_calls adds its harness, where the Apple layer's
# static inline functions are compiled). Exits non-zero on any crash, leak,
# sanitizer report or timeout; the input that caused it is left in
# build-fuzz/artifacts/. Extra arguments name the targets to run.
#   FUZZ_SECONDS=60 scripts/fuzz.sh api_calls
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-fuzz"
seconds=${FUZZ_SECONDS:-20}
cc=${FUZZ_CC:-clang-14}
targets=("$@")
[ ${#targets[@]} -ne 0 ] || targets=(client_bytes server_bytes identity_inputs
  trust_evaluation api_calls apple_calls)

command -v "$cc" >/dev/null || {
  echo "fuzz.sh: $cc not found (scripts/setup-debian.sh test installs clang-14" \
    "and libclang-rt-14-dev)" >&2
  exit 2
}
cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSECTRANS_BUILD_FUZZ=ON -DSECTRANS_LINK_BORINGSSL=ON -DSECTRANS_BUILD_PYTHON=OFF \
  -DSECTRANS_BUILD_CLI=OFF -DSECTRANS_BUILD_TESTS=OFF -DSECTRANS_BUILD_LUA=OFF >/dev/null
cmake --build "$build" -j2 --target fuzz

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$build/artifacts"
options=(-rss_limit_mb=2048 -timeout=10 -print_final_stats=1
  "-artifact_prefix=$build/artifacts/")
failed=0
summary=()
for target in "${targets[@]}"; do
  program="$build/fuzz/fuzz_$target"
  log="$work/$target.log"
  # The regression inputs: each crash found was fixed, its input kept.
  regressions=()
  if [ -d "$root/fuzz/regressions/$target" ]; then
    mapfile -t regressions < <(find "$root/fuzz/regressions/$target" -type f | sort)
  fi
  if [ ${#regressions[@]} -ne 0 ]; then
    echo "=== fuzz $target: ${#regressions[@]} regression input(s)"
    if ! "$program" "${options[@]}" "${regressions[@]}" >"$log" 2>&1; then
      tail -n 40 "$log"
      echo "fuzz.sh: $target: a regression input fails again" >&2
      failed=1
    fi
  fi
  echo "=== fuzz $target: ${seconds} s"
  cp -r "$root/fuzz/corpus/$target" "$work/corpus-$target"
  if ! "$program" "${options[@]}" -max_total_time="$seconds" \
    "$work/corpus-$target" >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz.sh: $target failed (its input is in $build/artifacts/)" >&2
    failed=1
    summary+=("$(printf '%-17s FAILED' "$target")")
    continue
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  edges=$(sed -n 's/^INFO: Loaded 1 modules *(\([0-9]*\) inline.*/\1/p' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
  corpus=$(grep -o 'corp: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
  summary+=("$(printf '%-17s %10s %8s %6s / %-6s %5s%%' "$target" "$execs" "$corpus" \
    "$cov" "$edges" "$(awk -v c="$cov" -v e="$edges" 'BEGIN { printf "%.1f", 100 * c / e }')")")
done

echo "=== fuzz summary (${seconds} s per target)"
printf '%-17s %10s %8s %15s %6s\n' target executions corpus "cov / edges" ""
printf '%s\n' "${summary[@]}"
exit "$failed"
