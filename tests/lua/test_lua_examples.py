"""The Lua examples of the README (bindings/lua/examples, the README shows
them verbatim) run as written: a self-signed identity made with the
README's openssl command, a client and three coroutine clients against
`sectrans server --www`, a server answering Python's ssl client, and the
memory-transport pair."""

import os
import socket
import ssl
import subprocess

import paths
import peers
import pytest
from luarun import lua_command, lua_env

EXAMPLES = os.path.join(paths.REPO, "bindings", "lua", "examples")

# The README's command for cert.pem / key.pem (self-signed, for localhost).
MAKE_IDENTITY = [
    "openssl",
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    "key.pem",
    "-out",
    "cert.pem",
    "-subj",
    "/CN=localhost",
    "-addext",
    "subjectAltName=DNS:localhost",
    "-days",
    "30",
]


@pytest.fixture
def workdir(tmp_path):
    """A directory holding cert.pem and key.pem, where examples run."""
    subprocess.run(MAKE_IDENTITY, cwd=tmp_path, check=True, capture_output=True, timeout=60)
    return tmp_path


def run_example(build_dir, workdir, name, *args):
    """Runs one example to its end in workdir; returns its stdout."""
    result = subprocess.run(
        [lua_command(), os.path.join(EXAMPLES, name)] + [str(a) for a in args],
        cwd=workdir,
        env=lua_env(build_dir),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture
def www_server(build_dir, workdir, reap):
    """`sectrans server --www --loop` on a free port; returns the port."""
    return reap(
        peers.sectrans_server(
            os.path.join(build_dir, "cli", "sectrans"),
            str(workdir),
            "--cert",
            str(workdir / "cert.pem"),
            "--key",
            str(workdir / "key.pem"),
            "--www",
            "--alpn",
            "http/1.1",
            "--loop",
        )
    ).port


def test_client_example(build_dir, workdir, www_server):
    out = run_example(build_dir, workdir, "client.lua", www_server)
    assert "TLSv1.3\tTLS_AES_128_GCM_SHA256\tX25519\thttp/1.1" in out, out
    assert "CN=localhost" in out and "HTTP/1.0 200 OK" in out, out


def test_coroutine_example(build_dir, workdir, www_server):
    out = run_example(build_dir, workdir, "coroutines.lua", www_server)
    assert sorted(out.splitlines()) == ["%d\tHTTP/1.0 200 OK" % i for i in (1, 2, 3)], out


def test_server_example(build_dir, workdir, reap):
    proc = reap(
        peers.start_announced(
            [
                "env",
                "-C",
                str(workdir),
                "LUA_CPATH=" + lua_env(build_dir)["LUA_CPATH"],
                lua_command(),
                os.path.join(EXAMPLES, "server.lua"),
                "0",
            ],
            str(workdir / "example.log"),
            r"listening on port (\d+)",
            name="server.lua",
        )
    )
    ctx = ssl.create_default_context(cafile=str(workdir / "cert.pem"))
    ctx.set_alpn_protocols(["http/1.1"])
    with socket.create_connection(("127.0.0.1", proc.port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            tls.sendall(b"hello\n")
            reply = b""
            while not reply.endswith(b"\n"):
                chunk = tls.recv(100)
                assert chunk, proc.describe()
                reply += chunk
    assert reply == b"HELLO\n"
    assert proc.wait() == 0, proc.describe()
    assert "client asked for\tlocalhost\thttp/1.1" in proc.output()


def test_memory_example(build_dir, workdir):
    out = run_example(build_dir, workdir, "memory.lua")
    assert out == "hello over memory\tTLSv1.3\n", out
