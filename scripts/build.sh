#!/bin/sh
# Configures and builds sectrans into ./build (RelWithDebInfo: the ABI
# checker needs debug info). Extra arguments go to cmake's configure step.
#
# The Python module is built for the interpreter that runs the tests: the
# venv scripts/setup-debian.sh makes (build/venv, what scripts/test.sh runs
# pytest with) when there is one, else python3. An argument
# -DPython3_EXECUTABLE=... overrides either.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)

# Whether the Python module is built: as the arguments say, else as cached.
python_wanted() {
  value=
  for arg; do
    case $arg in
    -DSECTRANS_BUILD_PYTHON=* | -DSECTRANS_BUILD_PYTHON:BOOL=*) value=${arg#*=} ;;
    esac
  done
  if [ -z "$value" ] && [ -f "$root/build/CMakeCache.txt" ]; then
    value=$(sed -n 's/^SECTRANS_BUILD_PYTHON:BOOL=//p' "$root/build/CMakeCache.txt")
  fi
  case $(echo "$value" | tr a-z A-Z) in
  0 | OFF | NO | N | FALSE) return 1 ;;
  esac
}

# The interpreter the module is built for (empty when none is found).
python_for_module() {
  if [ -x "$root/build/venv/bin/python" ]; then
    echo "$root/build/venv/bin/python"
  else
    command -v python3 || true
  fi
}

# Passed only when the module is built: CMake warns about an unused -D.
if python_wanted "$@"; then
  python=$(python_for_module)
  [ -z "$python" ] || set -- -DPython3_EXECUTABLE="$python" "$@"
fi
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$root/build" -j "$(nproc)"
