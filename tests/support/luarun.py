"""Running the Lua test scripts of tests/lua from pytest.

run_script(build_dir, name, env={...}, args=[...]) runs
`lua5.4 tests/lua/<name>` with the build tree's module first on LUA_CPATH
and tests/lua on LUA_PATH, waits (with a deadline), and asserts that it
exited 0 and printed its "ok: N checks" line; it returns the
CompletedProcess. start_script() starts one in the background (a server),
returning a peers.PeerProcess whose output can be awaited.
"""

import os
import re
import shutil
import subprocess

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
    assert os.path.exists(path), (
        "%s is missing: configure with -DSECTRANS_BUILD_LUA=ON" % path)
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
    return {"CA_FILE": pki.ca_file, "CERT_FILE": leaf.cert_file,
            "KEY_FILE": leaf.key_file}


def run_script(build_dir, name, env=None, args=(), timeout=TIMEOUT,
               prefix=()):
    """Runs a script to its end; asserts exit 0 and the ok line."""
    argv = list(prefix) + [lua_command(), os.path.join(LUA_DIR, name)]
    result = subprocess.run(argv + [str(a) for a in args],
                            env=lua_env(build_dir, env), capture_output=True,
                            text=True, timeout=timeout, cwd=LUA_DIR)
    assert result.returncode == 0 and re.search(
        r"(?m)^ok: [1-9]\d* checks$", result.stdout), (
        "%s exited %d\n--- stdout ---\n%s--- stderr ---\n%s" % (
            name, result.returncode, result.stdout, result.stderr))
    return result


def start_script(build_dir, name, log_dir, env=None, ready=r"listening (\d+)"):
    """Starts a script in the background (a server) and waits until it
    printed `ready`, whose group is its port; returns the peers.PeerProcess
    with .port set. The caller kills the process (fixtures: reap)."""
    from peers import start_announced
    full_env = lua_env(build_dir, env)
    argv = ["env"] + ["%s=%s" % (k, full_env[k]) for k in
                      ("LUA_CPATH", "LUA_PATH")] + \
        ["%s=%s" % (k, v) for k, v in (env or {}).items()] + \
        [lua_command(), os.path.join(LUA_DIR, name)]
    return start_announced(argv, os.path.join(log_dir, name + ".log"), ready, name=name)


def finish_script(proc):
    """Waits for a background script to exit; asserts exit 0 and its ok
    line."""
    status = proc.wait()
    assert status == 0 and re.search(r"(?m)^ok: [1-9]\d* checks$",
                                     proc.output()), proc.describe()
