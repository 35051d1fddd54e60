"""The suite's one sys.path setup: tests/support (helpers, pki, peers,
luarun, ... and paths, which knows the build tree: SECTRANS_BUILD_DIR,
default <repo>/build) and the build tree's python/ directory, so that
`import sectrans` loads the module just built. Child Python processes get
the same two directories through paths.python_env(). The shared fixtures
live in tests/support/shared_fixtures.py."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "support"))
import paths  # noqa: E402  (tests/support, just put on sys.path)

sys.path.insert(0, paths.PYTHON_DIR)

pytest_plugins = ["shared_fixtures"]  # not "fixtures": pytest has a plugin of that name
