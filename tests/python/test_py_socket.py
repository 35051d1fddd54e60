"""The `sectrans` package's sockets (SSLContext.wrap_socket, SSLSocket)
against Python's own `ssl` module, both roles, TLS 1.2 and 1.3: what the
connection reports, data both ways, the three I/O modes, unwrap, close and
context-manager exits, resumption, SNI."""

import hashlib
import os
import select
import socket
import ssl
import struct
import threading

import py_support as ps
import pytest
from py_support import recv_exactly

import sectrans


@pytest.mark.parametrize("version", ["tls12", "tls13"])
def test_client_against_ssl_server(pki, leaf_ecdsa_p256, version):
    leaf = leaf_ecdsa_p256
    ctx = ps.sectrans_client(leaf)
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    server_ctx = ps.ssl_server(leaf, version)
    server_ctx.set_alpn_protocols(["http/1.1"])
    with ps.ThreadedServer(
        ps.echo, lambda raw: server_ctx.wrap_socket(raw, server_side=True)
    ) as srv:
        with ps.connect(ctx, srv.address) as tls:
            assert isinstance(tls, socket.socket)
            assert tls.version() == {"tls12": "TLSv1.2", "tls13": "TLSv1.3"}[version]
            name, proto, bits = tls.cipher()
            assert proto == tls.version() and bits in (128, 256)
            assert name.startswith("TLS_" if version == "tls13" else "ECDHE-ECDSA-")
            assert tls.selected_alpn_protocol() == "http/1.1"
            assert tls.server_hostname == "localhost" and not tls.server_side
            assert tls.context is ctx
            # getpeercert: exactly what ssl itself decodes from the file.
            assert tls.getpeercert() == ssl._ssl._test_decode_cert(leaf.leaf_file)
            assert tls.getpeercert(binary_form=True) == leaf.leaf_der
            assert tls.get_unverified_chain() == [leaf.leaf_der, pki.intermediate.der]
            assert tls.get_verified_chain()[0] == leaf.leaf_der

            tls.sendall(b"hello\n")
            assert tls.recv(3) == b"hel"
            assert tls.pending() == 3
            buf = bytearray(10)
            assert tls.recv_into(buf) == 3 and buf[:3] == b"lo\n"
            assert tls.send(b"x" * 100) == 100
            assert recv_exactly(tls, 100) == b"x" * 100

            with tls.makefile("rwb") as f:
                f.write(b"line one\nline two\n")
                f.flush()
                assert f.readline() == b"line one\n"
                assert f.readline() == b"line two\n"


@pytest.mark.parametrize("version", ["tls12", "tls13"])
def test_server_against_ssl_client_with_client_certificate(pki, leaf_rsa2048, leaf_client, version):
    ctx = ps.sectrans_server(leaf_rsa2048)
    ctx.verify_mode = sectrans.CERT_REQUIRED
    ctx.load_verify_locations(cafile=pki.ca_file)
    client_ctx = ps.ssl_client(leaf_rsa2048, version)
    client_ctx.load_cert_chain(leaf_client.cert_file, leaf_client.key_file)
    payload = os.urandom(300000)
    seen = {}

    def handler(conn):
        seen["version"] = conn.version()
        seen["peer"] = conn.getpeercert()
        seen["server_side"] = conn.server_side
        seen["session"] = conn.session
        conn.sendall(hashlib.sha256(recv_exactly(conn, len(payload))).digest())

    with ps.ThreadedServer(handler, lambda raw: ctx.wrap_socket(raw, server_side=True)) as srv:
        with ps.connect(client_ctx, srv.address) as tls:
            tls.sendall(payload)
            assert recv_exactly(tls, 32) == hashlib.sha256(payload).digest()
            assert tls.getpeercert()["subject"] == (
                (("organizationName", "sectrans tests"),),
                (("commonName", "sectrans test rsa2048"),),
            )
    assert seen["version"] == {"tls12": "TLSv1.2", "tls13": "TLSv1.3"}[version]
    assert seen["peer"] == ssl._ssl._test_decode_cert(leaf_client.leaf_file)
    assert seen["server_side"] is True and seen["session"] is None


def test_listening_socket_accepts_wrapped_connections(leaf_ecdsa_p256):
    """wrap_socket on a listening socket: accept() returns SSLSockets."""
    ctx = ps.sectrans_server(leaf_ecdsa_p256)
    listener = socket.create_server(("127.0.0.1", 0))
    with ctx.wrap_socket(listener, server_side=True) as tls_listener:
        port = tls_listener.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port), timeout=ps.TIMEOUT)
        client_tls = ps.ssl_client(leaf_ecdsa_p256).wrap_socket(
            client, server_hostname="localhost", do_handshake_on_connect=False
        )
        t = threading.Thread(target=client_tls.do_handshake)
        t.start()
        conn, addr = tls_listener.accept()
        t.join(ps.TIMEOUT)
        with conn, client_tls:
            assert isinstance(conn, sectrans.SSLSocket)
            assert addr == client_tls.getsockname()
            client_tls.sendall(b"ping")
            assert conn.recv(4) == b"ping"


def test_connect_after_wrap_runs_the_handshake(leaf_ecdsa_p256):
    """wrap_socket on an unconnected socket, then connect()."""
    with ps.ssl_echo_server(leaf_ecdsa_p256) as srv:
        ctx = ps.sectrans_client(leaf_ecdsa_p256)
        with ctx.wrap_socket(socket.socket(), server_hostname="localhost") as tls:
            with pytest.raises(OSError):
                tls.recv(1)  # not connected yet
            tls.connect(srv.address)
            assert tls.version() is not None
            tls.sendall(b"abc")
            assert recv_exactly(tls, 3) == b"abc"


def test_timeout_mode(leaf_ecdsa_p256):
    """With a timeout, a read that gets nothing raises socket.timeout, and
    the connection still works afterwards."""

    def handler(conn):
        assert conn.recv(10) == b"go"
        conn.sendall(b"late")

    with ps.ssl_echo_server(leaf_ecdsa_p256, handler=handler) as srv:
        with ps.connect(ps.sectrans_client(leaf_ecdsa_p256), srv.address) as tls:
            tls.settimeout(0.2)
            assert tls.gettimeout() == 0.2
            with pytest.raises(socket.timeout):
                tls.recv(10)
            tls.settimeout(ps.TIMEOUT)
            tls.sendall(b"go")
            assert recv_exactly(tls, 4) == b"late"


def test_non_blocking_mode(leaf_ecdsa_p256):
    """Non-blocking: the handshake and reads raise SSLWantReadError until
    select() says the socket is readable."""
    client_waits = threading.Event()
    server_ctx = ps.ssl_server(leaf_ecdsa_p256)

    def wrap(raw):
        # The server answers only once the client was told to wait: on a
        # fast machine it could otherwise answer within the client's first
        # call, and the handshake would never have to wait.
        assert client_waits.wait(ps.TIMEOUT)
        return server_ctx.wrap_socket(raw, server_side=True)

    with ps.ThreadedServer(ps.echo, wrap) as srv:
        raw = socket.create_connection(srv.address, timeout=ps.TIMEOUT)
        raw.setblocking(False)
        ctx = ps.sectrans_client(leaf_ecdsa_p256)
        with pytest.raises(ValueError):  # as ssl: no implicit handshake here
            ctx.wrap_socket(raw.dup(), server_hostname="localhost")
        tls = ctx.wrap_socket(raw, server_hostname="localhost", do_handshake_on_connect=False)
        with tls:
            wants = 0
            while True:
                try:
                    tls.do_handshake()
                    break
                except sectrans.SSLWantReadError:
                    wants += 1
                    client_waits.set()
                    assert select.select([tls], [], [], ps.TIMEOUT)[0]
            assert wants >= 1
            with pytest.raises(sectrans.SSLWantReadError):
                tls.recv(10)
            tls.sendall(b"echo me")
            got = b""
            while len(got) < 7:
                select.select([tls], [], [], ps.TIMEOUT)
                try:
                    got += tls.recv(10)
                except sectrans.SSLWantReadError:
                    pass
            assert got == b"echo me"


def test_unwrap_returns_the_plain_socket(leaf_ecdsa_p256):
    def handler(conn):
        assert conn.recv(5) == b"tls!\n"
        plain = conn.unwrap()
        assert plain.recv(6) == b"plain\n"
        plain.sendall(b"bye\n")
        plain.close()

    ctx = ps.ssl_server(leaf_ecdsa_p256)
    srv = ps.ThreadedServer(handler, lambda raw: ctx.wrap_socket(raw, server_side=True))
    with srv:
        tls = ps.connect(ps.sectrans_client(leaf_ecdsa_p256), srv.address)
        tls.sendall(b"tls!\n")
        plain = tls.unwrap()
        assert type(plain) is socket.socket
        assert tls.fileno() == -1
        with plain:
            plain.sendall(b"plain\n")
            assert plain.recv(4) == b"bye\n"


def test_close_twice_and_context_manager_exit_on_error(leaf_ecdsa_p256):
    with ps.ssl_echo_server(leaf_ecdsa_p256, connections=2) as srv:
        ctx = ps.sectrans_client(leaf_ecdsa_p256)
        with pytest.raises(RuntimeError):
            with ps.connect(ctx, srv.address) as tls:
                tls.sendall(b"x")
                assert tls.recv(1) == b"x"  # nothing unread: close sends FIN, not RST
                raise RuntimeError("application failure")
        assert tls.fileno() == -1
        tls.close()
        tls.close()
        with pytest.raises(OSError):
            tls.recv(1)
        with pytest.raises(OSError):
            tls.sendall(b"after close")
        assert tls.version() is None and tls.pending() == 0
        # The server saw close_notify: a clean end, its echo loop returned.
        other = ps.connect(ctx, srv.address)
        other.close()
        other.close()


def test_peer_close_notify_reads_as_end_of_stream(leaf_ecdsa_p256):
    def handler(conn):
        conn.sendall(b"last words")
        conn.unwrap().close()

    with ps.ssl_echo_server(leaf_ecdsa_p256, handler=handler) as srv:
        with ps.connect(ps.sectrans_client(leaf_ecdsa_p256), srv.address) as tls:
            assert recv_exactly(tls, 10) == b"last words"
            assert tls.recv(10) == b""
            assert tls.recv(10) == b""


def test_truncated_stream_is_eof_or_error_as_chosen(leaf_ecdsa_p256):
    """A TCP close without close_notify: b'' by default (ssl's
    suppress_ragged_eofs), SSLEOFError when not suppressed."""

    def handler(conn):
        conn.sendall(b"cut")
        conn.shutdown(socket.SHUT_RDWR)  # ssl: TCP shutdown, no close_notify

    for suppress in (True, False):
        with ps.ssl_echo_server(leaf_ecdsa_p256, handler=handler) as srv:
            with ps.connect(
                ps.sectrans_client(leaf_ecdsa_p256), srv.address, suppress_ragged_eofs=suppress
            ) as tls:
                assert recv_exactly(tls, 3) == b"cut"
                if suppress:
                    assert tls.recv(10) == b""
                else:
                    with pytest.raises(sectrans.SSLEOFError):
                        tls.recv(10)


@pytest.mark.parametrize("run", range(3))
def test_sendall_then_close_loses_nothing(leaf_ecdsa_p256, run):
    """sectrans on both sides, TLS 1.3: the server's tickets sit unread at
    the client, and a socket closed over unread bytes resets the connection,
    which drops what the server had not read yet. close() takes them in
    first, so the server reads every byte and a clean end."""
    size = 16 << 20
    payload = os.urandom(1 << 16) * (size >> 16)
    received = []
    server_ctx = ps.sectrans_server(leaf_ecdsa_p256)
    with ps.sectrans_echo_server(server_ctx, handler=ps.digest_until_end(received)) as srv:
        tls = ps.connect(ps.sectrans_client(leaf_ecdsa_p256), srv.address)
        tls.sendall(payload)
        tls.close()
    assert received == [(size, hashlib.sha256(payload).hexdigest())]


def test_reset_is_an_error_not_an_end(leaf_ecdsa_p256):
    """A reset drops data in flight, so it must never read as b''."""
    errors, greeted = [], threading.Event()

    def handler(conn):
        conn.sendall(b"never read")
        assert recv_exactly(conn, 5) == b"hello"
        greeted.set()
        try:
            conn.recv(10)
        except OSError as e:
            errors.append(e)

    with ps.sectrans_echo_server(ps.sectrans_server(leaf_ecdsa_p256), handler=handler) as srv:
        tls = ps.connect(ps.sectrans_client(leaf_ecdsa_p256), srv.address)
        tls.sendall(b"hello")
        assert greeted.wait(ps.TIMEOUT)  # the server's handshake is over
        raw = socket.socket(fileno=tls.detach())
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        raw.close()  # a reset
    assert len(errors) == 1 and isinstance(errors[0], sectrans.SSLSyscallError), errors
    assert "reset" in str(errors[0])


@pytest.mark.parametrize("version", ["tls12", "tls13"])
def test_session_resumption(leaf_ecdsa_p256, version):
    with ps.ssl_echo_server(leaf_ecdsa_p256, version, connections=2) as srv:
        ctx = ps.sectrans_client(leaf_ecdsa_p256)
        with ps.connect(ctx, srv.address) as first:
            first.sendall(b"ticket please")  # TLS 1.3 tickets come after the handshake
            recv_exactly(first, 13)
            session = first.session
            assert isinstance(session, sectrans.SSLSession)
            assert not first.session_reused
        with ps.connect(ctx, srv.address, session=session) as second:
            assert second.session_reused
            second.sendall(b"ok")
            assert recv_exactly(second, 2) == b"ok"


def test_sni_callback_switches_context(pki, leaf_ecdsa_p256, leaf_rsa2048):
    """The callback sees the requested name and may set conn.context; the
    new context's certificate is the one presented."""
    default = ps.sectrans_server(leaf_ecdsa_p256)
    alternate = ps.sectrans_server(leaf_rsa2048)
    calls = []

    def choose(conn, name, context):
        calls.append((name, context))
        if name == "alt.localhost":
            conn.context = alternate

    default.sni_callback = choose
    with ps.sectrans_echo_server(default, connections=2) as srv:
        client = ssl.create_default_context(cafile=pki.ca_file)
        client.check_hostname = False  # the leaves name only localhost
        for name, leaf in (("alt.localhost", leaf_rsa2048), ("localhost", leaf_ecdsa_p256)):
            with ps.connect(client, srv.address, server_hostname=name) as tls:
                assert tls.getpeercert(binary_form=True) == leaf.leaf_der
                tls.sendall(b"hi")
                assert recv_exactly(tls, 2) == b"hi"
    assert calls == [("alt.localhost", default), ("localhost", default)]


def test_sni_callback_exception_reaches_the_caller(leaf_ecdsa_p256):
    ctx = ps.sectrans_server(leaf_ecdsa_p256)

    def broken(conn, name, context):
        raise KeyError("no certificate for %s" % name)

    ctx.sni_callback = broken
    srv = ps.sectrans_echo_server(ctx)
    with pytest.raises(ssl.SSLError):
        ps.connect(ps.ssl_client(leaf_ecdsa_p256), srv.address)
    errors = srv.stop(expect_errors=True)
    assert len(errors) == 1 and isinstance(errors[0], KeyError)
    assert "no certificate for localhost" in str(errors[0])


def test_keylog_filename(tmp_path, leaf_ecdsa_p256, monkeypatch):
    """Key lines reach the file (SSLKEYLOGFILE through
    create_default_context), and a failure to write them reaches the caller
    of the handshake."""
    path = tmp_path / "keys.log"
    monkeypatch.setenv("SSLKEYLOGFILE", str(path))
    ctx = sectrans.create_default_context(cafile=leaf_ecdsa_p256.ca_file)
    assert ctx.keylog_filename == str(path)
    with ps.ssl_echo_server(leaf_ecdsa_p256, "tls13", connections=2) as srv:
        with ps.connect(ctx, srv.address) as tls:
            client_random_lines = path.read_text().splitlines()
            tls.sendall(b"x")
            recv_exactly(tls, 1)
        labels = {line.split()[0] for line in client_random_lines if not line.startswith("#")}
        assert {
            "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
            "SERVER_HANDSHAKE_TRAFFIC_SECRET",
            "CLIENT_TRAFFIC_SECRET_0",
            "SERVER_TRAFFIC_SECRET_0",
        } <= labels

        ctx.keylog_filename = "/dev/full"  # every write fails with ENOSPC
        with pytest.raises(OSError) as info:
            ps.connect(ctx, srv.address)
        assert info.value.errno == 28
    with pytest.raises(OSError):
        ctx.keylog_filename = str(tmp_path / "missing" / "keys.log")
