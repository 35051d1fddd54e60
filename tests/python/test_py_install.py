"""`pip install ./bindings/python` into a fresh virtual environment (once
per test session, shared by the xdist workers through a lock), then, with
that venv only and no environment variable pointing at a build:
the package imports (its own libsectrans, py.typed and stubs inside), the
README's Python examples run against `openssl s_server -www` and
`openssl s_client`, and they pass `mypy --strict`.

The examples come from bindings/python/README.md and from the `## Python`
section of the repository README (the same text once merged; each distinct
block runs once). They name localhost:4433 and ca.pem/cert.pem/key.pem: the
test copies the pki files under those names and replaces 4433 by a free
port."""

import fcntl
import os
import pathlib
import re
import shutil
import subprocess
import sys

import paths
import peers
import pytest

ROOT = pathlib.Path(paths.REPO)
INSTALL_TIMEOUT = 600
EXAMPLE_PORT = "4433"


def python_blocks():
    """The distinct ```python blocks of both READMEs."""
    texts = [(ROOT / "bindings/python/README.md").read_text()]
    readme = (ROOT / "README.md").read_text()
    section = re.search(r"^## Python\n(.*?)^## ", readme, re.S | re.M)
    if section:
        texts.append(section.group(1))
    blocks = []
    for text in texts:
        for block in re.findall(r"```python\n(.*?)```", text, re.S):
            if block not in blocks:
                blocks.append(block)
    return blocks


def absolute_files(block, workdir):
    """block with its "ca.pem"/"cert.pem"/"key.pem" made absolute (for a
    peer process, which runs in the test's working directory)."""
    for name in ("ca.pem", "cert.pem", "key.pem"):
        block = block.replace('"%s"' % name, repr(str(workdir / name)))
    return block


def clean_env():
    """The environment minus anything that could point at the build tree."""
    drop = ("LD_LIBRARY_PATH", "PYTHONPATH", "SECTRANS_BUILD_DIR", "SSLKEYLOGFILE")
    return {k: v for k, v in os.environ.items() if k not in drop}


def run(argv, **kwargs):
    kwargs.setdefault("timeout", INSTALL_TIMEOUT)
    result = subprocess.run(
        [str(a) for a in argv], capture_output=True, text=True, env=clean_env(), **kwargs
    )
    assert result.returncode == 0, "%s failed:\n%s%s" % (
        " ".join(map(str, argv)),
        result.stdout[-4000:],
        result.stderr[-4000:],
    )
    return result


@pytest.fixture(scope="session")
def venv(tmp_path_factory):
    """A venv with sectrans (and mypy) installed, made once for all
    workers: the first to take the lock builds it, the others reuse it."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the session's directory, above each worker's
    path = shared / "py-install-venv"
    with open(shared / "py-install-venv.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (path / "installed").exists():
            shutil.rmtree(path, ignore_errors=True)
            run([sys.executable, "-m", "venv", path])
            run(
                [
                    path / "bin/python",
                    "-m",
                    "pip",
                    "install",
                    "-q",
                    "mypy",
                    str(ROOT / "bindings/python"),
                ]
            )
            (path / "installed").write_text("ok\n")
    return path


@pytest.fixture
def workdir(tmp_path, leaf_ecdsa_p256):
    for name, source in (
        ("ca.pem", leaf_ecdsa_p256.ca_file),
        ("cert.pem", leaf_ecdsa_p256.cert_file),
        ("key.pem", leaf_ecdsa_p256.key_file),
    ):
        shutil.copy(source, tmp_path / name)
    return tmp_path


def test_installed_package_is_self_contained(venv, tmp_path):
    code = (
        "import sectrans, os; d = os.path.dirname(sectrans.__file__); "
        "print(sectrans.__version__); "
        "print(sorted(f for f in os.listdir(d) if not f.endswith('.py')))"
    )
    result = run([venv / "bin/python", "-c", code], cwd=tmp_path)
    version, files = result.stdout.splitlines()
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert "libsectrans.so.1" in files and "py.typed" in files and "_sectrans.pyi" in files
    assert (
        str(venv)
        in run(
            [venv / "bin/python", "-c", "import sectrans; print(sectrans.__file__)"], cwd=tmp_path
        ).stdout
    )


def test_readme_examples_run(venv, workdir, reap, leaf_ecdsa_p256):
    blocks = python_blocks()
    kinds = {"server": [], "client": [], "standalone": []}
    for block in blocks:
        kind = (
            "server"
            if "create_server" in block
            else "client"
            if EXAMPLE_PORT in block
            else "standalone"
        )
        kinds[kind].append(block)
    assert len(kinds["client"]) >= 3 and kinds["server"], kinds  # client, sans-I/O, asyncio

    for block in kinds["standalone"]:
        (workdir / "example.py").write_text(block)
        run([venv / "bin/python", "example.py"], cwd=workdir, timeout=60)

    www = reap(peers.openssl_server(leaf_ecdsa_p256, str(workdir), mode="-www"))
    for block in kinds["client"]:
        (workdir / "client.py").write_text(block.replace(EXAMPLE_PORT, str(www.port)))
        out = run([venv / "bin/python", "client.py"], cwd=workdir, timeout=60).stdout
        assert "HTTP/1.0 200 ok" in out, out

    for block in kinds["server"]:
        port = peers.free_port()
        (workdir / "server.py").write_text(
            absolute_files(block, workdir).replace(EXAMPLE_PORT, str(port))
        )
        server = reap(
            peers.PeerProcess(
                [venv / "bin/python", workdir / "server.py"],
                str(workdir / "server.log"),
                separate_stderr=True,
            )
        )
        assert server.wait_for_output(r"listening on"), server.describe()
        client = reap(
            peers.openssl_client(
                port, str(workdir / "ca.pem"), str(workdir), extra=["-quiet", "-alpn", "http/1.1"]
            )
        )
        client.send(b"hello\n")
        assert client.wait_for_stdout(b"you said: hello\n"), client.describe()
        assert server.wait() == 0, server.describe()


def test_readme_examples_pass_mypy_strict(venv, tmp_path):
    for i, block in enumerate(python_blocks()):
        (tmp_path / ("example_%d.py" % i)).write_text(block)
    result = subprocess.run(
        [str(venv / "bin/mypy"), "--strict", "--no-incremental", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout
