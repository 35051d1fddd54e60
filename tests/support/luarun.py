"""Running the Lua test scripts of tests/lua from pytest.

run_script(build_dir, name, env={...}, args=[...]) runs
`lua5.4 tests/lua/<name>` with the build tree's module first on LUA_CPATH
and tests/lua on LUA_PATH, waits (with a deadline) and checks its output
(check_output); it returns the CompletedProcess. start_script() starts one
in the background (a server), returning a peers.PeerProcess whose output
can be awaited; finish_script() waits for it and checks its output.

Per-check results: a script prints one TAP line per check (testlib.lua:
"ok 12 - what", "not ok 13 - what" and "# " lines saying why), then the
plan "1..N" from T.done(). check_output reports each check as a pytest
subtest of the running test, "<script>: <what>" (a check repeated under
one name, in a loop, is one subtest saying how many times it ran), when a
subtests fixture was given to report_to() (tests/lua/conftest.py does it
for every test in tests/lua). Then it asserts that the script exited 0,
printed its plan with N >= 1 and exactly checks 1..N, and that none
failed: a crash, a stop (T.need) or a missing plan fails the test even
when no check did.
"""

import collections
import os
import re
import shutil
import subprocess

import pytest
from paths import LUA_DIR

TIMEOUT = 120


def lua_command():
    """The Lua 5.4 interpreter (Debian package lua5.4)."""
    path = shutil.which("lua5.4")
    assert path, "lua5.4 is not installed (Debian package lua5.4)"
    return path


def module_path(build_dir):
    """The built module; fails clearly when the tree was built without it."""
    path = os.path.join(build_dir, "lua", "sectrans.so")
    assert os.path.exists(path), "%s is missing: configure with -DSECTRANS_BUILD_LUA=ON" % path
    return path


def lua_env(build_dir, extra=None):
    """The environment of a test script: the build's module and tests/lua."""
    module_path(build_dir)
    env = dict(os.environ)
    env["LUA_CPATH"] = os.path.join(build_dir, "lua", "?.so") + ";;"
    env["LUA_PATH"] = os.path.join(LUA_DIR, "?.lua") + ";;"
    env.update({k: str(v) for k, v in (extra or {}).items()})
    return env


def leaf_env(pki, leaf):
    """CA_FILE, CERT_FILE (leaf + chain) and KEY_FILE for a pki.Leaf."""
    return {"CA_FILE": pki.ca_file, "CERT_FILE": leaf.cert_file, "KEY_FILE": leaf.key_file}


_subtests = None
TAP_LINE = re.compile(r"^(ok|not ok) (\d+) - (.*)$")
PLAN = re.compile(r"^1\.\.(\d+)$")


def report_to(subtests):
    """Reports the checks of the scripts run from now on as subtests of
    the running test (None: stop)."""
    global _subtests
    _subtests = subtests


def parse_checks(stdout):
    """The checks in a script's output, in order: a list of (number, passed,
    what, diagnostic lines), and the plan's N (None without a plan)."""
    checks, plan = [], None
    for line in stdout.splitlines():
        m = TAP_LINE.match(line)
        if m:
            checks.append((int(m.group(2)), m.group(1) == "ok", m.group(3), []))
        elif line.startswith("# ") and checks and not checks[-1][1]:
            checks[-1][3].append(line[2:])
        elif PLAN.match(line):
            plan = int(PLAN.match(line).group(1))
    return checks, plan


def check_output(name, returncode, stdout, stderr=""):
    """Reports each check of a script's run (see above) and asserts that
    the run as a whole passed."""
    checks, plan = parse_checks(stdout)
    by_what = collections.OrderedDict()
    for number, passed, what, diag in checks:
        by_what.setdefault(what, []).append((number, passed, diag))
    if _subtests is not None:
        for what, runs in by_what.items():
            label = "%s: %s" % (name, what)
            if len(runs) > 1:
                label += " (%d times)" % len(runs)
            with _subtests.test(msg=label):
                failed = [(n, d) for n, ok, d in runs if not ok]
                if failed:
                    pytest.fail(
                        "\n".join(
                            "not ok %d - %s\n%s" % (n, what, "\n".join(d)) for n, d in failed
                        ),
                        pytrace=False,
                    )
    problems = []
    failed = [c for c in checks if not c[1]]
    if failed:
        problems.append(
            "%d of %d checks failed: %s"
            % (len(failed), len(checks), ", ".join("%d - %s" % (c[0], c[2]) for c in failed))
        )
    if returncode != 0:
        problems.append("exited %d" % returncode)
    if plan is None:
        problems.append("printed no plan (1..N): it stopped after %d checks" % len(checks))
    elif plan < 1:
        problems.append("planned no checks")
    elif [c[0] for c in checks] != list(range(1, plan + 1)):
        problems.append(
            "plan 1..%d but the checks printed were %s" % (plan, [c[0] for c in checks])
        )
    if problems:
        pytest.fail(
            "%s: %s\n--- stdout ---\n%s--- stderr ---\n%s"
            % (name, "; ".join(problems), stdout, stderr),
            pytrace=False,
        )


def run_script(build_dir, name, env=None, args=(), timeout=TIMEOUT, prefix=()):
    """Runs a script to its end and checks its output (check_output)."""
    argv = list(prefix) + [lua_command(), os.path.join(LUA_DIR, name)]
    result = subprocess.run(
        argv + [str(a) for a in args],
        env=lua_env(build_dir, env),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=LUA_DIR,
    )
    check_output(name, result.returncode, result.stdout, result.stderr)
    return result


def start_script(build_dir, name, log_dir, env=None, ready=r"listening (\d+)"):
    """Starts a script in the background (a server) and waits until it
    printed `ready`, whose group is its port; returns the peers.PeerProcess
    with .port set. The caller kills the process (fixtures: reap)."""
    from peers import start_announced

    full_env = lua_env(build_dir, env)
    argv = (
        ["env"]
        + ["%s=%s" % (k, full_env[k]) for k in ("LUA_CPATH", "LUA_PATH")]
        + ["%s=%s" % (k, v) for k, v in (env or {}).items()]
        + [lua_command(), os.path.join(LUA_DIR, name)]
    )
    return start_announced(argv, os.path.join(log_dir, name + ".log"), ready, name=name)


def finish_script(proc):
    """Waits for a background script to exit and checks its output
    (check_output)."""
    status = proc.wait()
    check_output(proc.name, status, proc.output())
