#!/bin/bash
# The sanitizer stage: builds the CMake preset `sanitize` (AddressSanitizer +
# UndefinedBehaviorSanitizer, gcc, BoringSSL linked directly since ASan
# refuses RTLD_DEEPBIND) into ./build-sanitize, then runs
#   1. the C test programs of tests/c and `sectrans demo` directly, with
#      LeakSanitizer on: any leak, memory error or undefined behaviour fails;
#   2. pytest on tests/core, tests/compat, tests/cli and tests/interop
#      against that build, the ASan runtime preloaded into Python,
#      PYTHONMALLOC=malloc (so ASan sees every allocation) and leak
#      detection off (CPython keeps memory until exit by design). ASan's
#      reports go to files, printed and failing the stage, so that one in a
#      child process cannot be lost to a test's captured output. gcc's UBSan
#      runtime ignores log_path: its reports go to stderr, which pytest
#      leaves uncaptured at the descriptor level (--capture=sys), so one that
#      kills a pytest worker still shows above "worker crashed".
# As in scripts/test.sh, a skipped test fails. scripts/test.sh runs this as
# its stage `sanitize`, after setup-debian.sh made build/venv; extra
# arguments go to pytest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python="$root/build/venv/bin/python"
build="$root/build-sanitize"
cd "$root"

cmake --preset sanitize -DPython3_EXECUTABLE="$python" >/dev/null
cmake --build --preset sanitize -j "$(nproc)"

logs=$(mktemp -d)
report="$logs/junit.xml"
trap 'rm -rf "$logs"' EXIT
ubsan="print_stacktrace=1:halt_on_error=1"

# Prints the ASan reports written to $logs, if any, and fails then.
check_logs() {
  local found=0 log
  for log in "$logs"/asan.*; do
    [ -e "$log" ] || continue
    echo "--- $log" >&2
    cat "$log" >&2
    found=1
  done
  if [ "$found" -ne 0 ]; then
    echo "sanitize.sh: sanitizer reports above" >&2
    return 1
  fi
}

# ---- 1. the C programs, leak detection on ------------------------------------
echo "sanitize: C programs (tests/c, sectrans demo)"
for program in "$build"/tests/c/*; do
  [ -f "$program" ] && [ -x "$program" ] || continue
  # coexistence checks that BoringSSL and OpenSSL 3 share a process, which
  # only the run-time loading (RTLD_DEEPBIND) gives: this build links
  # BoringSSL, so the two collide by design.
  [ "$(basename "$program")" = coexistence ] && continue
  echo "  $(basename "$program")"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=$ubsan "$program" >/dev/null
done
# The demo adds what the programs lack: threads and the fd transport.
for key in rsa ecdsa; do
  echo "  sectrans demo --key-type $key"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=$ubsan \
    "$build/cli/sectrans" demo --key-type "$key" >/dev/null
done

# ---- 2. pytest, the ASan runtime preloaded into Python -----------------------
# Deselected, each for its reason:
deselect=(
  # The isolation from OpenSSL: coexistence in one process, checked under
  # LD_DEBUG=bindings. It is what the run-time loading gives, and the
  # direct link of this build replaces that loading.
  tests/core/test_c_programs.py::test_coexistence_binds_nothing_into_openssl
  "tests/core/test_c_programs.py::test_program_passes[coexistence]"
  # SECTRANS_BORINGSSL_DIR pointing nowhere makes the run-time loading
  # fail; a build that links BoringSSL has no such loading to fail.
  tests/core/test_lowlevel_module.py::test_import_fails_clearly_when_boringssl_cannot_load
  tests/cli/test_demo.py::test_demo_failure_names_status_and_reason
  # valgrind cannot run ASan-instrumented programs (the ASan runtime must
  # come first, and its shadow memory defeats memcheck); step 1 above checks
  # the same programs with ASan and LeakSanitizer instead.
  tests/core/test_c_programs.py::test_program_is_valgrind_clean
  tests/core/test_c_programs.py::test_demo_is_valgrind_clean
  tests/compat/test_compat.py::test_client_is_valgrind_clean
  tests/compat/test_compat.py::test_header_check_is_valgrind_clean
  tests/compat/test_compat.py::test_server_is_valgrind_clean
  # Measures memory growth by RSS: ASan holds freed memory back in its
  # quarantine (256 MB), so RSS grows with no leak. The normal stage runs it.
  tests/core/test_lowlevel_module.py::test_garbage_collector_releases_handles
)
echo "sanitize: pytest (tests/core, compat, cli, interop)"
status=0
SECTRANS_BUILD_DIR="$build" \
  LD_PRELOAD="$(gcc -print-file-name=libasan.so)" \
  PYTHONMALLOC=malloc \
  ASAN_OPTIONS="detect_leaks=0:log_path=$logs/asan" \
  UBSAN_OPTIONS="$ubsan" \
  "$python" -m pytest -n 2 -rs -q --capture=sys --junitxml="$report" \
  "${deselect[@]/#/--deselect=}" \
  tests/core tests/compat tests/cli tests/interop "$@" || status=$?
check_logs || status=1
[ "$status" -eq 0 ] || exit "$status"
"$python" scripts/no-skips.py "$report" sanitize.sh
