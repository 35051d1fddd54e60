#!/bin/sh
# Records the ABI of build/libsectrans.so.1 as the baseline CI compares
# against (tests/core/test_abi.py). Run it only when an ABI change is intended:
# adding functions needs no new baseline; changing or removing anything
# public is a new major version.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
abidw --headers-dir "$root/core/include/sectrans" --no-corpus-path \
  --out-file "$root/abi/libsectrans.so.1.abi" "$root/build/libsectrans.so.1"
echo "wrote abi/libsectrans.so.1.abi"
