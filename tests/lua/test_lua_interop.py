"""The Lua binding against real peers: a sectrans client against
`openssl s_server`, a sectrans server against Python's ssl client (with
and without a client certificate)."""

import hashlib
import re
import socket
import ssl

import peers
import py_support as ps
import pytest
from luarun import finish_script, leaf_env, run_script, start_script


@pytest.mark.parametrize("version", ["TLSv1.2", "TLSv1.3"])
def test_client_against_openssl(build_dir, pki, tmp_path, reap, version):
    server = reap(peers.openssl_server(pki.ecdsa_p256, str(tmp_path), version=version))
    run_script(
        build_dir,
        "client_openssl.lua",
        dict(leaf_env(pki, pki.ecdsa_p256), PORT=server.port, TLS_VERSION=version),
    )


@pytest.mark.parametrize("version", ["TLSv1.2", "TLSv1.3"])
def test_exportkeyingmaterial_against_openssl(build_dir, pki, tmp_path, reap, version):
    """conn:exportkeyingmaterial gives what `openssl s_server -keymatexport`
    printed (exporter.lua, which also checks a memory pair and bad inputs)."""
    label = "EXPERIMENTAL-sectrans-lua"
    extra = ("-keymatexport", label, "-keymatexportlen", "40")
    server = reap(
        peers.openssl_server(pki.ecdsa_p256, str(tmp_path), version=version, extra=extra, mode=None)
    )
    result = run_script(
        build_dir,
        "exporter.lua",
        dict(leaf_env(pki, pki.ecdsa_p256), PORT=server.port, TLS_VERSION=version, LABEL=label),
    )
    ours = re.search(r"(?m)^exported ([0-9A-F]+)$", result.stdout)
    theirs = server.wait_for_output(r"Keying material: ([0-9A-Fa-f]+)")
    assert ours and theirs, result.stdout + server.describe()
    assert ours.group(1) == theirs.group(1).upper()


def python_client(pki, port, client_cert=False):
    """Python's ssl client: verifies the Lua server, offers http/1.1,
    exchanges two lines and ends with close_notify (unwrap)."""
    ctx = ssl.create_default_context(cafile=pki.ca_file)
    ctx.set_alpn_protocols(["http/1.1"])
    if client_cert:
        ctx.load_cert_chain(pki.client.cert_file, pki.client.key_file)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            assert tls.version() == "TLSv1.3"
            tls.sendall(b"hello from python\n")
            reply = b""
            while not reply.endswith(b"\n"):
                chunk = tls.recv(100)
                assert chunk, "the Lua server closed early"
                reply += chunk
            tls.sendall(b"bye\n")
            tls.unwrap()
    return reply


@pytest.mark.parametrize("client_auth", [False, True], ids=["no-client-cert", "client-cert"])
def test_server_against_python_ssl(build_dir, pki, tmp_path, reap, client_auth):
    env = dict(leaf_env(pki, pki.ecdsa_p256), CLIENT_AUTH="1" if client_auth else "0")
    proc = reap(start_script(build_dir, "server_python.lua", str(tmp_path), env))
    reply = python_client(pki, proc.port, client_auth)
    assert reply == b"HELLO FROM PYTHON\n"
    finish_script(proc)


@pytest.mark.parametrize("run", range(3))
def test_send_then_close_loses_nothing(build_dir, pki, run):
    """The Lua client sends 16 MiB and closes at once; a sectrans server
    that reads slower still gets every byte, then a clean end."""
    size = 16 << 20
    block = bytes(range(256)) * 64
    received = []
    server_ctx = ps.sectrans_server(pki.ecdsa_p256)
    with ps.sectrans_echo_server(server_ctx, handler=ps.digest_until_end(received)) as srv:
        run_script(
            build_dir,
            "write_then_close.lua",
            dict(leaf_env(pki, pki.ecdsa_p256), PORT=srv.port, SIZE=size),
        )
    expected = hashlib.sha256(block * (size // len(block))).hexdigest()
    assert received == [(size, expected)]
