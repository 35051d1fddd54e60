"""The fd transport (sectrans_set_fd) over real sockets on 127.0.0.1.

Covers what is specific to the socket transport: a handshake over
non-blocking fds (and what sectrans_wants reports), end of stream without
close_notify, a transport error (-36 with strerror in the detail, context
aborted), no SIGPIPE, the fd never closed by sectrans, and the keep-alive
trap of blocking sockets (reqwest#26): leftover plaintext is returned
without waiting for another record.

The socket helpers (socket_pair, set_io_timeout, FdPair, fd_handshake) are
in support/fd_sockets.py, shared with test_write_queue.py and test_read.py.
"""

import os
import socket
import subprocess
import sys
import threading

import paths
import pytest
from fd_sockets import FdPair, fd_handshake, set_io_timeout
from helpers import WOULD_BLOCK, check, describe, st

TLS12 = st.SECTRANS_PROTOCOL_TLS12
TLS13 = st.SECTRANS_PROTOCOL_TLS13
VERSIONS = pytest.mark.parametrize("version", [TLS12, TLS13], ids=["tls12", "tls13"])


@pytest.fixture
def fd_pair(pki):
    """A non-blocking TCP pair with an ECDSA server, not yet handshaken."""
    pair = FdPair(pki.ecdsa_p256)
    yield pair
    pair.close()


# ---------------------------------------------------------------------------
# Handshake and end of stream


def test_nonblocking_handshake_reports_what_it_waits_for(fd_pair):
    # The client's first call sends its ClientHello and then waits to read.
    assert st.sectrans_handshake(fd_pair.client) == WOULD_BLOCK
    assert st.sectrans_wants(fd_pair.client) == st.SECTRANS_WANT_READ
    # The server has nothing to read yet.
    assert st.sectrans_handshake(fd_pair.server) == WOULD_BLOCK
    assert st.sectrans_wants(fd_pair.server) == st.SECTRANS_WANT_READ
    fd_handshake(fd_pair.client, fd_pair.server)
    assert st.sectrans_wants(fd_pair.client) == st.SECTRANS_WANT_NOTHING
    assert check(st.sectrans_get_session_state(fd_pair.client)) == st.SECTRANS_STATE_CONNECTED
    # Data flows both ways.
    assert st.sectrans_write(fd_pair.client, b"ping") == (0, 4)
    buf = bytearray(100)
    assert st.sectrans_read(fd_pair.server, buf) == (0, 4)
    assert bytes(buf[:4]) == b"ping"


@VERSIONS
def test_end_of_stream_without_close_notify_aborts(pki, version):
    pair = FdPair(pki.ecdsa_p256, version=version)
    try:
        fd_handshake(pair.client, pair.server)
        buf = bytearray(100)
        st.sectrans_read(pair.client, buf)  # consume any TLS 1.3 tickets
        pair.ssock.shutdown(socket.SHUT_RDWR)  # EOF, no close_notify
        status, n = st.sectrans_read(pair.client, buf)
        assert (status, n) == (st.SECTRANS_CLOSED_ABORT, 0), describe(status, pair.client)
        assert check(st.sectrans_get_session_state(pair.client)) == st.SECTRANS_STATE_ABORTED
    finally:
        pair.close()


def test_transport_error_is_errsecio_with_strerror_and_aborts(pki):
    # AF_UNIX: a send to a closed peer fails at once with EPIPE.
    pair = FdPair(pki.ecdsa_p256, kind="unix")
    try:
        fd_handshake(pair.client, pair.server)
        pair.ssock.close()
        status, processed = st.sectrans_write(pair.client, b"x" * 100)
        assert status == st.SECTRANS_ERR_IO, describe(status, pair.client)
        assert processed == 100  # the bytes were taken before the send failed
        assert os.strerror(32) in st.sectrans_context_error_detail(pair.client)  # EPIPE
        assert check(st.sectrans_get_session_state(pair.client)) == st.SECTRANS_STATE_ABORTED
        # A fatal write error is not repeated: the aborted context says abort.
        assert st.sectrans_write(pair.client, b"y") == (st.SECTRANS_CLOSED_ABORT, 0)
        assert st.sectrans_read(pair.client, bytearray(10)) == (st.SECTRANS_CLOSED_ABORT, 0)
    finally:
        pair.csock.close()


_SIGPIPE_SCRIPT = r"""
import signal, socket, sys
import tempfile
import pki as P
from helpers import st
from fd_sockets import FdPair, fd_handshake
signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # Python ignores it by default
p = P.Pki(tempfile.mkdtemp())
pair = FdPair(p.ecdsa_p256, kind="unix")
fd_handshake(pair.client, pair.server)
pair.ssock.close()
print(st.sectrans_write(pair.client, b"x" * 100)[0])
"""


def output_with_default_sigpipe(script):
    """Runs script in a child Python whose SIGPIPE kills it (the script
    restores the default action); returns its output, failing if killed."""
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=paths.python_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, "killed by signal %d? %s" % (-result.returncode, result.stderr)
    return result.stdout


def test_no_sigpipe_on_a_closed_socket():
    assert output_with_default_sigpipe(_SIGPIPE_SCRIPT).strip() == str(st.SECTRANS_ERR_IO)


_PIPE_SIGPIPE_SCRIPT = r"""
import os, signal
from sectrans import _sectrans as st
signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # Python ignores it by default
r, w = os.pipe()
os.close(r)  # the reader is gone
status, ctx = st.sectrans_context_create(st.SECTRANS_CLIENT, st.SECTRANS_STREAM)
assert st.sectrans_set_verify_mode(ctx, st.SECTRANS_VERIFY_NONE) == 0
assert st.sectrans_set_fd(ctx, w) == 0
print(st.sectrans_handshake(ctx), st.sectrans_context_error_detail(ctx))
"""


def test_no_sigpipe_on_a_pipe_without_reader():
    """A pipe has no MSG_NOSIGNAL: the write blocks the signal instead."""
    assert output_with_default_sigpipe(_PIPE_SIGPIPE_SCRIPT).split(" ", 1) == [
        str(st.SECTRANS_ERR_IO),
        "write: %s\n" % os.strerror(32),
    ]  # EPIPE


def test_sectrans_never_closes_the_fd(pki):
    pair = FdPair(pki.ecdsa_p256)
    try:
        fd_handshake(pair.client, pair.server)
        check(st.sectrans_close(pair.client), "close", pair.client)
        fd = pair.csock.fileno()
        del pair.client  # the last reference: the context is freed
        os.fstat(fd)  # still open
        pair.csock.setblocking(True)
        pair.csock.sendall(b"still usable")
    finally:
        pair.close()


# ---------------------------------------------------------------------------
# Keep-alive over blocking sockets (the reqwest#26 trap)

IO_TIMEOUT = 3.0
BODY_SIZES = (10000, 7001)  # each response fits one record (< 16 KiB)
CLIENT_BUF = 4096  # smaller than a response: leftover remains


def _serve_keep_alive(ctx, errors):
    """Answers two HTTP/1.1 requests on one connection, then expects the
    client's close_notify."""
    try:
        check(st.sectrans_handshake(ctx), "server handshake", ctx)
        buf = bytearray(16384)
        for size in BODY_SIZES:
            request = b""
            while b"\r\n\r\n" not in request:
                status, n = st.sectrans_read(ctx, buf)
                check(status, "server read", ctx)
                request += bytes(buf[:n])
            body = bytes(i % 251 for i in range(size))
            response = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (size, body)
            assert st.sectrans_write(ctx, response) == (0, len(response))
        status, n = st.sectrans_read(ctx, buf)
        check(
            status, "server read after the last response", ctx, expected=st.SECTRANS_CLOSED_GRACEFUL
        )
    except BaseException as e:  # reported by the main thread
        errors.append(e)


def _read_response(ctx):
    """Reads one response by its Content-Length; every read must succeed
    (a would-block here means SO_RCVTIMEO expired: the read hung)."""
    data = b""
    buf = bytearray(CLIENT_BUF)
    expected = None
    reads = 0
    while expected is None or len(data) < expected:
        reads += 1
        assert reads < 100, "too many reads"
        status, n = st.sectrans_read(ctx, buf)
        assert status == 0, (
            "client read returned %s after %d bytes of the response: "
            "a read waited for a record that never comes" % (describe(status, ctx), len(data))
        )
        assert n > 0
        data += bytes(buf[:n])
        if expected is None and b"\r\n\r\n" in data:
            head, _ = data.split(b"\r\n\r\n", 1)
            length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
            expected = len(head) + 4 + length
    assert len(data) == expected, "read past the response"
    head, body = data.split(b"\r\n\r\n", 1)
    return body


@VERSIONS
def test_keep_alive_over_blocking_sockets_does_not_hang(pki, version):
    pair = FdPair(pki.ecdsa_p256, blocking=True, version=version)
    for sock in (pair.csock, pair.ssock):
        set_io_timeout(sock, IO_TIMEOUT)
    errors = []
    server = threading.Thread(target=_serve_keep_alive, args=(pair.server, errors), daemon=True)
    server.start()
    try:
        check(st.sectrans_handshake(pair.client), "client handshake", pair.client)
        for i, size in enumerate(BODY_SIZES):
            request = b"GET /%d HTTP/1.1\r\nHost: localhost\r\n\r\n" % i
            assert st.sectrans_write(pair.client, request) == (0, len(request))
            body = _read_response(pair.client)
            assert body == bytes(i % 251 for i in range(size))
            check(st.sectrans_get_buffered_read_size(pair.client), expected=0)
        check(st.sectrans_close(pair.client), "client close", pair.client)
    finally:
        server.join(timeout=3 * IO_TIMEOUT)
        alive = server.is_alive()
        if alive:  # unblock it before the sockets go away
            pair.csock.shutdown(socket.SHUT_RDWR)
            server.join(timeout=IO_TIMEOUT)
        pair.close()
    assert not alive, "the server thread hung"
    if errors:
        raise errors[0]
