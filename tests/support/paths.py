"""Where things are, for the whole suite: the repository, tests/ and its
folders, and the build tree (SECTRANS_BUILD_DIR, default <repo>/build).

python_env(extra) is the environment of a child Python process that imports
sectrans, helpers or pki: PYTHONPATH starts with the build's python/
directory and tests/support (the same two directories tests/conftest.py
puts on sys.path).
"""

import os

SUPPORT_DIR = os.path.dirname(os.path.abspath(__file__))
TESTS_DIR = os.path.dirname(SUPPORT_DIR)
REPO = os.path.dirname(TESTS_DIR)
C_DIR = os.path.join(TESTS_DIR, "c")  # C test programs (CMake)
LUA_DIR = os.path.join(TESTS_DIR, "lua")  # Lua scripts + their tests
GO_DIR = os.path.join(TESTS_DIR, "go")  # Go programs + their tests
VALGRIND_SUPPRESSIONS = os.path.join(C_DIR, "valgrind.supp")

BUILD_DIR = os.path.abspath(os.environ.get("SECTRANS_BUILD_DIR") or os.path.join(REPO, "build"))
PYTHON_DIR = os.path.join(BUILD_DIR, "python")


def python_env(extra=None, base=None):
    """base (default os.environ) with PYTHONPATH = the build's python/,
    tests/support, then whatever PYTHONPATH was; extra (a dict) last."""
    env = dict(os.environ if base is None else base)
    env["PYTHONPATH"] = os.pathsep.join(
        [PYTHON_DIR, SUPPORT_DIR] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    )
    env.update({k: str(v) for k, v in (extra or {}).items()})
    return env
