"""`require "sectrans"` after `cmake --install`: the module lands in
<prefix>/lib/lua/5.4 and finds libsectrans through its RPATH, with only
LUA_CPATH set."""

import os
import re
import subprocess

from luarun import LUA_DIR, check_output, leaf_env, lua_command, module_path


def test_require_from_an_install_prefix(build_dir, pki, tmp_path):
    module_path(build_dir)
    prefix = tmp_path / "prefix"
    subprocess.run(
        ["cmake", "--install", build_dir, "--prefix", str(prefix)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    installed = prefix / "lib" / "lua" / "5.4" / "sectrans.so"
    assert installed.exists(), sorted(str(p) for p in prefix.rglob("*.so*"))
    env = {
        k: v for k, v in os.environ.items() if k not in ("LD_LIBRARY_PATH", "LUA_PATH", "LUA_CPATH")
    }
    env.update(leaf_env(pki, pki.ecdsa_p256))
    env["LUA_CPATH"] = str(installed.parent / "?.so") + ";;"
    env["LUA_PATH"] = os.path.join(LUA_DIR, "?.lua") + ";;"
    linked = subprocess.run(
        ["ldd", str(installed)], env=env, text=True, capture_output=True, check=True
    ).stdout
    library = re.search(r"libsectrans\.so\.1 => (\S+)", linked)
    assert library and library.group(1).startswith(str(prefix)), linked
    result = subprocess.run(
        [lua_command(), os.path.join(LUA_DIR, "installed.lua")],
        env=env,
        text=True,
        capture_output=True,
        timeout=60,
    )
    check_output("installed.lua", result.returncode, result.stdout, result.stderr)
