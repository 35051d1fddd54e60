"""What an installed sectrans looks like to its users.

`cmake --install` the build tree into a temporary prefix, then use it the
ways a downstream project would: pkg-config, CMake's find_package, and the
installed command, each with LD_LIBRARY_PATH unset so only RPATHs count.
The exported symbols and the SONAME are checked on the installed file,
and configuring on a machine without Lua 5.4's headers is tried too.
"""

import glob
import os
import re
import shutil
import subprocess

import paths
import pytest

TIMEOUT = 300

CONSUMER_C = r"""
#include <stdio.h>
#include <string.h>
#include <sectrans/sectrans.h>

int main(void) {
  sectrans_context *ctx = NULL;
  if (SECTRANS_CHECK_VERSION() != 0 ||
      sectrans_version() < SECTRANS_VERSION_NUMBER)
    return 2;
  if (strcmp(sectrans_status_string(SECTRANS_CLOSED_GRACEFUL),
             "errSSLClosedGraceful") != 0)
    return 3;
  /* A context needs BoringSSL: proves the installed library loads it. */
  if (sectrans_context_create(SECTRANS_CLIENT, SECTRANS_STREAM, &ctx) != 0)
    return 4;
  sectrans_context_release(ctx);
  printf("consumer ok %u\n", (unsigned)sectrans_version());
  return 0;
}
"""

CONSUMER_CMAKE = """
cmake_minimum_required(VERSION 3.18)
project(consumer C)
find_package(sectrans 1.0 REQUIRED)
add_executable(consumer main.c)
target_link_libraries(consumer PRIVATE sectrans::sectrans)
"""


def run(argv, **kwargs):
    kwargs.setdefault("timeout", TIMEOUT)
    result = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, "%s failed:\n%s%s" % (
        " ".join(map(str, argv)),
        result.stdout,
        result.stderr,
    )
    return result


def env_without_library_path(**extra):
    env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
    env.update(extra)
    return env


def find_one(prefix, pattern):
    found = glob.glob(os.path.join(prefix, pattern), recursive=True)
    assert len(found) == 1, "%s under %s: %s" % (pattern, prefix, found)
    return found[0]


@pytest.fixture(scope="module")
def prefix(build_dir, tmp_path_factory):
    """The build tree installed into a fresh prefix."""
    if not os.path.exists(os.path.join(build_dir, "CMakeCache.txt")):
        pytest.fail("no build tree at %s" % build_dir, pytrace=False)
    path = str(tmp_path_factory.mktemp("prefix"))
    run(["cmake", "--install", build_dir, "--prefix", path])
    return path


@pytest.fixture(scope="module")
def installed_library(prefix):
    return find_one(prefix, "lib*/**/libsectrans.so.1")


def test_pkg_config_is_enough_to_build_and_run(prefix, tmp_path):
    pc_dir = os.path.dirname(find_one(prefix, "lib*/**/pkgconfig/sectrans.pc"))
    flags = run(
        ["pkg-config", "--cflags", "--libs", "sectrans"],
        env=env_without_library_path(PKG_CONFIG_PATH=pc_dir),
    )
    # The flags must point into the prefix the files were installed to.
    assert prefix in flags.stdout, flags.stdout
    source = tmp_path / "main.c"
    source.write_text(CONSUMER_C)
    exe = tmp_path / "consumer"
    run(["gcc", "-Wall", "-Werror", str(source), "-o", str(exe)] + flags.stdout.split())
    result = run([str(exe)], env=env_without_library_path())
    assert result.stdout.startswith("consumer ok")


def test_cmake_find_package_builds_and_runs(prefix, tmp_path):
    source_dir = tmp_path / "src"
    source_dir.mkdir()
    (source_dir / "CMakeLists.txt").write_text(CONSUMER_CMAKE)
    (source_dir / "main.c").write_text(CONSUMER_C)
    build = tmp_path / "build"
    env = env_without_library_path()
    run(
        [
            "cmake",
            "-S",
            str(source_dir),
            "-B",
            str(build),
            "-DCMAKE_PREFIX_PATH=" + prefix,
            "-DCMAKE_C_FLAGS=-Wall -Werror",
        ],
        env=env,
    )
    run(["cmake", "--build", str(build)], env=env)
    result = run([str(build / "consumer")], env=env)
    assert result.stdout.startswith("consumer ok")


def test_installed_command_finds_its_library_by_rpath(prefix, installed_library):
    command = os.path.join(prefix, "bin", "sectrans")
    env = env_without_library_path()
    # The loader must pick the installed library, not the build tree's.
    resolved = run(["ldd", command], env=env).stdout
    match = re.search(r"libsectrans\.so\.1 => (\S+)", resolved)
    assert match, resolved
    assert os.path.realpath(match.group(1)) == os.path.realpath(installed_library)
    result = run([command, "demo"], env=env)
    assert "verification: trusted" in result.stdout


def test_installed_library_exports_only_versioned_sectrans_symbols(installed_library):
    out = run(["nm", "-D", "--defined-only", "--with-symbol-versions", installed_library]).stdout
    names = [line.split()[-1] for line in out.splitlines() if line.strip()]
    assert "SECTRANS_1.0" in names  # the version node itself
    functions = [n for n in names if not re.fullmatch(r"SECTRANS_1\.\d+", n)]
    assert functions, out
    bad = [n for n in functions if not re.fullmatch(r"sectrans_\w+@@SECTRANS_1\.\d+", n)]
    assert bad == []


def test_installed_library_soname(installed_library):
    out = run(["readelf", "-d", installed_library]).stdout
    assert re.search(r"\(SONAME\)\s+Library soname: \[libsectrans\.so\.1\]", out), out
    assert os.path.basename(os.path.realpath(installed_library)) == "libsectrans.so.1.0.0"


def test_tools_are_present():
    for tool in ("pkg-config", "gcc", "cmake", "nm", "readelf", "ldd"):
        assert shutil.which(tool), tool


def test_lua_module_follows_its_headers(tmp_path):
    # pkg-config finding no lua5.4 stands for a machine without
    # liblua5.4-dev: the default leaves the module out and says so, ON
    # stops the configure naming what to install.
    root = paths.REPO
    env = dict(os.environ, PKG_CONFIG_LIBDIR=str(tmp_path / "no-pc"), PKG_CONFIG_PATH="")
    configure = [
        "cmake",
        "-S",
        root,
        "-DSECTRANS_BUILD_PYTHON=OFF",
        "-DSECTRANS_BUILD_TESTS=OFF",
        "-DSECTRANS_BUILD_CLI=OFF",
    ]
    auto = run(configure + ["-B", str(tmp_path / "auto")], env=env)
    assert "the Lua module is not built" in auto.stdout, auto.stdout
    assert not (tmp_path / "auto" / "bindings" / "lua").exists()
    forced = subprocess.run(
        configure + ["-B", str(tmp_path / "on"), "-DSECTRANS_BUILD_LUA=ON"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=env,
    )
    assert forced.returncode != 0, forced.stdout
    assert "liblua5.4-dev" in forced.stderr, forced.stderr
    assert "-DSECTRANS_BUILD_LUA=OFF" in forced.stderr, forced.stderr
