"""Building and running the Go programs of tests/go from pytest.

go_env(build_dir) is the environment of every go command: pkg-config finds
the build tree (its sectrans-uninstalled.pc), the build cache is the build
tree's own, the toolchain never downloads another one.
build(build_dir, module, out) runs `go build` once into out.
start_server(argv, log_dir) starts a Go server that prints
"LISTENING <port>" and returns the peers.PeerProcess with .port set.
run_json(argv) runs a Go client to its end and returns the JSON objects it
printed, one per line.
"""

import json
import os
import shutil
import subprocess

from paths import GO_DIR, REPO
from peers import start_announced

BINDING_DIR = os.path.join(REPO, "bindings", "go")
TIMEOUT = 180


def go_command():
    """The go command (Go 1.21 or later)."""
    path = shutil.which("go") or (
        "/usr/local/go/bin/go" if os.path.exists("/usr/local/go/bin/go") else None
    )
    assert path, "the go command is not installed"
    return path


def go_env(build_dir, extra=None):
    """The environment of a go command building against the build tree."""
    pc = os.path.join(build_dir, "sectrans-uninstalled.pc")
    assert os.path.exists(pc), "%s is missing: rebuild with the top-level CMakeLists" % pc
    env = dict(os.environ)
    env["PKG_CONFIG_PATH"] = build_dir
    # Go's build cache does not notice when pkg-config's answer changes
    # (another build tree, an install prefix): one cache per build tree.
    env["GOCACHE"] = os.path.join(build_dir, "go-cache")
    if "HOME" not in env and "GOPATH" not in env:  # go needs one for its module cache
        env["GOPATH"] = os.path.join(build_dir, "go-path")
    env["GOTOOLCHAIN"] = "local"
    env["CGO_ENABLED"] = "1"
    env.update({k: str(v) for k, v in (extra or {}).items()})
    return env


def go(build_dir, args, cwd, env=None, timeout=TIMEOUT):
    """Runs one go command; asserts that it succeeded; returns its output."""
    result = subprocess.run(
        [go_command()] + list(args),
        cwd=cwd,
        env=go_env(build_dir, env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, "go %s (in %s) exited %d\n%s%s" % (
        " ".join(args),
        cwd,
        result.returncode,
        result.stdout,
        result.stderr,
    )
    return result.stdout + result.stderr


def build(build_dir, module, out, package="."):
    """`go build` of package in tests/go/<module> into the file out;
    returns out."""
    go(build_dir, ["build", "-o", str(out), package], os.path.join(GO_DIR, module))
    return str(out)


def start_server(argv, log_dir, name="go-server", ready=r"LISTENING (\d+)"):
    """Starts a Go server that prints its port, matched by the group of
    ready (it binds 127.0.0.1:0 itself, so no port can be lost to a race)."""
    return start_announced(
        argv, os.path.join(str(log_dir), name + ".log"), ready, name=name, separate_stderr=True
    )


def reports(text):
    """The JSON objects of a Go program's output, one per line."""
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def run_json(argv, env=None, timeout=TIMEOUT, expect_ok=True):
    """Runs a Go client to its end; returns (exit status, its reports).
    With expect_ok, asserts exit 0."""
    result = subprocess.run(
        [str(a) for a in argv], capture_output=True, text=True, timeout=timeout, env=env
    )
    if expect_ok:
        assert result.returncode == 0, "%s exited %d\n%s%s" % (
            " ".join(map(str, argv)),
            result.returncode,
            result.stdout,
            result.stderr,
        )
    return result.returncode, reports(result.stdout)


def server_reports(peer, count):
    """Waits until the server reported count connections; returns them."""
    m = peer.wait_for_output(r"(?s)(?:\{[^\n]*\}\n.*){%d}" % count)
    assert m, "server reported fewer than %d connections: %s" % (count, peer.describe())
    return reports(peer.stdout().decode())


def leaf_args(leaf):
    """-cert and -key for a pki.Leaf (the chain file holds leaf + chain)."""
    return ["-cert", leaf.cert_file, "-key", leaf.key_file]
