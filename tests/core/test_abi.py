"""The ABI gate: the built library against the committed baselines and
the version script.

- abidiff against each baseline in abi/: its exit code is a bit set (1
  error, 2 usage, 4 changed, 8 incompatible), and a struct layout change
  sets only 4, so any non-zero exit fails. Functions added since are not
  abidiff's concern (--no-added-syms): the checks below catch where they go.
- core/sectrans.map lists every exported function by name in the node of
  the release that added it; the library exports exactly those, each with
  its node's version, both ways.
- Every function of the baselines keeps the version it had: none moved
  between nodes.
- Every function declared with SECTRANS_API in the public header is
  exported (a new one cannot be forgotten in the version script).
"""

import pathlib
import re
import subprocess

import paths

ROOT = pathlib.Path(paths.REPO)
BUILD = pathlib.Path(paths.BUILD_DIR)
LIBRARY = BUILD / "libsectrans.so.1"
VERSION_SCRIPT = ROOT / "core" / "sectrans.map"
BASELINES = sorted((ROOT / "abi").glob("*.abi"))


def script_nodes():
    """{function: node} from the version script."""
    text = re.sub(r"/\*.*?\*/", "", VERSION_SCRIPT.read_text(), flags=re.S)
    nodes = {}
    for node, body in re.findall(r"(SECTRANS_[\d.]+)\s*\{(.*?)\}", text, re.S):
        exported = body.split("local:")[0].replace("global:", "")
        for name in re.findall(r"([A-Za-z_]\w*)\s*;", exported):
            assert name not in nodes, "%s is listed twice" % name
            nodes[name] = node
    return nodes


def library_versions():
    """{function: version} of what the built library exports."""
    out = subprocess.run(
        ["nm", "-D", "--defined-only", "--with-symbol-versions", str(LIBRARY)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    versions = {}
    for line in out.splitlines():
        name, _, version = line.split()[-1].partition("@@")
        if not re.fullmatch(r"SECTRANS_[\d.]+", name):  # a node's own marker
            versions[name] = version
    return versions


def test_abi_matches_baselines():
    assert BASELINES, "no baseline in abi/"
    for baseline in BASELINES:
        result = subprocess.run(
            [
                "abidiff",
                "--no-added-syms",
                "--headers-dir2",
                str(ROOT / "core/include/sectrans"),
                str(baseline),
                str(LIBRARY),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, baseline.name + ": " + result.stdout + result.stderr


def test_exports_are_the_version_script_both_ways():
    listed, exported = script_nodes(), library_versions()
    assert {n: v for n, v in exported.items() if listed.get(n) != v} == {}, (
        "exported, but not listed in that node of core/sectrans.map"
    )
    assert {n: v for n, v in listed.items() if exported.get(n) != v} == {}, (
        "listed in core/sectrans.map, but not exported with that version"
    )


def baseline_symbols(baseline):
    """{function: version} recorded in a baseline."""
    symbols = dict(re.findall(r"<elf-symbol name='(\w+)' version='([\w.]+)'", baseline.read_text()))
    assert symbols, baseline
    return symbols


def test_baseline_functions_keep_their_version():
    exported = library_versions()
    for baseline in BASELINES:
        moved = {
            name: (version, exported.get(name))
            for name, version in baseline_symbols(baseline).items()
            if exported.get(name) != version
        }
        assert moved == {}, "%s: (baseline, now)" % baseline.name


def test_nodes_with_a_baseline_are_frozen():
    """A node recorded in a baseline takes no new function: it goes into
    a new node instead."""
    exported = library_versions()
    for baseline in BASELINES:
        recorded = baseline_symbols(baseline)
        frozen = set(recorded.values())
        added = sorted(
            name for name, version in exported.items() if version in frozen and name not in recorded
        )
        assert added == [], "%s: added to a frozen node" % baseline.name


def test_every_declared_function_is_exported():
    header = (ROOT / "core/include/sectrans/sectrans.h").read_text()
    declared = set(re.findall(r"SECTRANS_API\b[^;{]*?\b(sectrans_\w+)\s*\(", header))
    assert len(declared) > 100
    assert declared - set(library_versions()) == set()


# The exported symbols and the SONAME of the installed library:
# tests/project/test_packaging.py.
