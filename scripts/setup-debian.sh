#!/bin/sh
# Installs what sectrans needs on Debian 12, skipping what is already there.
#   setup-debian.sh demo   build tools and BoringSSL only
#   setup-debian.sh test   everything the test suite uses (the default),
#                          with tests/requirements.txt in a venv, build/venv,
#                          and the formatters scripts/format.sh runs
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)

need=${1:-test}
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

apt_packages="build-essential cmake pkg-config android-libboringssl-dev"
if [ "$need" = test ]; then
  apt_packages="$apt_packages swig python3-dev python3-venv openssl libssl-dev gnutls-bin
    android-boringssl
    valgrind abigail-tools binutils
    lua5.4 liblua5.4-dev lua-socket lua-sec
    clang-format clang-14 libclang-rt-14-dev"
  # npm installs stylua (below); Debian's only where the machine has none.
  command -v npm >/dev/null || apt_packages="$apt_packages nodejs npm"
fi

missing=""
for p in $apt_packages; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup: installing Debian packages:$missing"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q $missing
fi

# Debian 12's python3 refuses pip installs (PEP 668: externally managed),
# so the test suite's packages go into a venv of python3, the interpreter
# the build compiles the Python module for (scripts/build.sh).
ruff_version=$(sed -n 's/^ruff==//p' "$root/tests/requirements.txt")
setup_venv() {
  venv="$root/build/venv"
  # pytest 9 or later: its subtests report each Lua check (tests/README.md);
  # ruff exactly as pinned.
  if "$venv/bin/python" -c 'import pytest, xdist, cryptography
assert pytest.version_tuple >= (9,)' 2>/dev/null &&
    [ "$("$venv/bin/ruff" --version 2>/dev/null)" = "ruff $ruff_version" ]; then
    return
  fi
  echo "setup: installing tests/requirements.txt into $venv"
  # --clear: a venv whose base interpreter went away cannot be repaired.
  "$venv/bin/python" -c '' 2>/dev/null || python3 -m venv --clear "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check \
    -r "$root/tests/requirements.txt"
}

# stylua (scripts/format.sh's Lua formatter) from the npm registry: the
# package's platform binary ships inside the package (no download at install
# time), into build/tools/stylua, under 10 s. Its `stylua` command is a
# node script that runs that binary.
stylua_version=2.5.2
setup_stylua() {
  dir="$root/build/tools/stylua"
  if [ "$("$dir/node_modules/.bin/stylua" --version 2>/dev/null)" = "stylua $stylua_version" ]; then
    return
  fi
  echo "setup: installing stylua $stylua_version into $dir"
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-audit --no-fund --no-save --silent \
    "@johnnymorganz/stylua-bin@$stylua_version"
}

if [ "$need" = test ]; then
  setup_venv
  setup_stylua
fi
