"""The ABI gate: the built library against the committed baseline.

abidiff's exit code is a bit set (1 error, 2 usage, 4 changed, 8
incompatible), and a struct layout change sets only 4, so any non-zero exit
fails. Added functions are allowed (--no-added-syms).
"""
import pathlib
import subprocess

import paths

ROOT = pathlib.Path(paths.REPO)
BUILD = pathlib.Path(paths.BUILD_DIR)
LIBRARY = BUILD / "libsectrans.so.1"


def test_abi_matches_baseline():
    result = subprocess.run(
        ["abidiff", "--no-added-syms",
         "--headers-dir2", str(ROOT / "core/include/sectrans"),
         str(ROOT / "abi/libsectrans.so.1.abi"), str(LIBRARY)],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr

# The exported symbols and the SONAME of the installed library:
# tests/project/test_packaging.py.
