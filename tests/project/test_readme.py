"""The README's C examples compile against the public headers and link
against the library (they need a network peer to run, so they are only
built)."""

import pathlib
import re
import subprocess

import paths

ROOT = pathlib.Path(paths.REPO)


def c_blocks():
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```c\n(.*?)```", text, re.S)


def test_the_short_c_example_builds(build_dir, tmp_path):
    block = next(b for b in c_blocks() if "sectrans/sectrans.h" in b)
    source = tmp_path / "example.c"
    source.write_text(block)
    result = subprocess.run(
        [
            "cc",
            "-Wall",
            "-Werror",
            "-shared",
            "-fPIC",
            "-I",
            str(ROOT / "core/include"),
            str(source),
            "-L",
            str(build_dir),
            "-lsectrans",
            "-o",
            str(tmp_path / "example.so"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
