"""The suite's one sys.path setup: tests/support (helpers, pki, peers, ...)
and the build tree's python/ directory (SECTRANS_BUILD_DIR, default
<repo>/build). The shared fixtures live in tests/support/shared_fixtures.py."""

import os
import sys

SUPPORT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "support")
if SUPPORT_DIR not in sys.path:
    sys.path.insert(0, SUPPORT_DIR)

pytest_plugins = ["shared_fixtures"]  # not "fixtures": pytest has a plugin of that name
