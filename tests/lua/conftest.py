"""Every check of a Lua script is its own result: each test in tests/lua
hands its `subtests` fixture to luarun, which reports the checks of the
scripts the test runs as subtests (see support/luarun.py)."""

import luarun
import pytest


@pytest.fixture(autouse=True)
def lua_checks_as_subtests(subtests):
    luarun.report_to(subtests)
    yield
    luarun.report_to(None)
