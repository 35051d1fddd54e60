"""Lifetimes in the Lua binding: 10,000 wrapped connections dropped in
every way (collector, close, <close>) with no memory growth, and a short
run under valgrind: no errors, nothing definitely lost."""

import re
import shutil

import paths
from luarun import leaf_env, run_script

SUPPRESSIONS = paths.VALGRIND_SUPPRESSIONS


def test_ten_thousand_connections_do_not_grow_memory(build_dir, pki):
    result = run_script(
        build_dir, "gc.lua", dict(leaf_env(pki, pki.ecdsa_p256), COUNT=10000), timeout=240
    )
    assert "lua heap" in result.stdout


def run_under_valgrind(build_dir, name, env, log):
    """Runs a test script under valgrind; asserts no errors and nothing
    definitely lost."""
    assert shutil.which("valgrind"), "valgrind is not installed"
    run_script(
        build_dir,
        name,
        env,
        prefix=[
            "valgrind",
            "--leak-check=full",
            "--errors-for-leak-kinds=definite",
            "--error-exitcode=99",
            "--suppressions=" + SUPPRESSIONS,
            "--log-file=" + str(log),
        ],
        timeout=240,
    )
    report = log.read_text(errors="replace")
    errors = re.search(r"ERROR SUMMARY: (\d+) errors", report)
    assert errors and errors.group(1) == "0", report
    lost = re.search(r"definitely lost: ([\d,]+) bytes", report)
    assert (lost and lost.group(1) == "0") or "no leaks are possible" in report, report


def test_short_run_is_valgrind_clean(build_dir, pki, tmp_path):
    run_under_valgrind(
        build_dir,
        "gc.lua",
        dict(leaf_env(pki, pki.ecdsa_p256), COUNT=24, HANDSHAKE_EVERY=4),
        tmp_path / "valgrind.log",
    )


def test_cached_sessions_outlive_lua_close(build_dir, pki, tmp_path):
    # memory_session.lua resumes with setpeerid, so the process-wide session
    # cache holds sessions when lua_close unloads the module: libsectrans is
    # linked nodelete, so they stay reachable instead of lost.
    run_under_valgrind(
        build_dir, "memory_session.lua", leaf_env(pki, pki.ecdsa_p256), tmp_path / "valgrind.log"
    )
