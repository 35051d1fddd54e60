#!/bin/bash
# One command from a fresh Debian 12 machine to the whole test suite:
# installs what is missing, checks the formats (scripts/format.sh --check),
# builds, runs pytest on two workers, then the sanitizer stage
# (scripts/sanitize.sh). pytest runs in the venv setup-debian.sh
# makes (build/venv), which build.sh builds the Python module for. Any
# failed test fails the run, and so does any skipped one: a test that cannot
# run is a failure to fix. Prints the time of each stage.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python="$root/build/venv/bin/python"

stage() {
  local name=$1 start=$SECONDS
  shift
  echo "=== stage $name"
  "$@"
  echo "=== stage $name: $((SECONDS - start)) s"
}

stage setup "$root/scripts/setup-debian.sh" test
stage format "$root/scripts/format.sh" --check
stage build "$root/scripts/build.sh" -DSECTRANS_BUILD_PYTHON=ON -DSECTRANS_BUILD_TESTS=ON \
  -DSECTRANS_BUILD_LUA=ON
report=$(mktemp)
trap 'rm -f "$report"' EXIT
stage pytest "$python" -m pytest -n 2 -rs -q "$root/tests" --junitxml="$report" "$@"
"$python" "$root/scripts/no-skips.py" "$report" test.sh
# The C programs and the core's suite again, under AddressSanitizer and
# UndefinedBehaviorSanitizer (the CMake preset `sanitize`, ./build-sanitize).
stage sanitize "$root/scripts/sanitize.sh"
# libFuzzer targets, each for FUZZ_SECONDS on a copy of its corpus (fuzz/).
stage fuzz "$root/scripts/fuzz.sh"
