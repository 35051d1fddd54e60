"""sectrans_read (docs/secure-transport.md, "Read"; header contract).

- leftover plaintext comes first, and sectrans_get_buffered_read_size says
  how much is left;
- memory and fd transports: once a byte was copied from the leftover, read
  returns success without waiting for another record;
- at most one record per call;
- records without data (TLS 1.3 session tickets) are consumed transparently,
  and read never succeeds with 0 bytes for a non-empty buffer;
- a read of length 0 returns 0 at once.
(Data coming with would-block is the callback transport's, tested in C.)
"""

import ssl

import pytest
from fd_sockets import FdPair, fd_handshake
from helpers import (
    CLIENT,
    WOULD_BLOCK,
    check,
    describe,
    handshake,
    make_context,
    make_pair,
    pump,
    st,
    take_all,
)


def _connected_pair(pki):
    """A memory pair after the handshake, with everything the handshake left
    moved and processed: the next bytes the client gets are the test's."""
    client, server = make_pair(pki.ecdsa_p256)
    handshake(client, server)
    pump(client, server)
    assert st.sectrans_read(client, bytearray(1)) == (WOULD_BLOCK, 0)
    assert not pump(client, server)
    return client, server


def _send(sender, receiver, *messages):
    """One sectrans_write per message (one record each), then the
    ciphertext into the receiver."""
    for m in messages:
        assert st.sectrans_write(sender, m) == (0, len(m))
    check(st.sectrans_feed_input(receiver, take_all(sender)), "feed_input", receiver)


def test_leftover_comes_first_and_is_counted(pki):
    client, server = _connected_pair(pki)
    message = bytes(range(256)) * 4  # 1024 bytes, one record
    _send(server, client, message)
    assert check(st.sectrans_get_buffered_read_size(client)) == 0  # not decrypted yet
    buf = bytearray(100)
    assert st.sectrans_read(client, buf) == (0, 100)
    assert bytes(buf) == message[:100]
    assert check(st.sectrans_get_buffered_read_size(client)) == 924
    buf = bytearray(24)
    assert st.sectrans_read(client, buf) == (0, 24)
    assert bytes(buf) == message[100:124]
    assert check(st.sectrans_get_buffered_read_size(client)) == 900
    # A later message is queued behind the leftover: the leftover comes first.
    _send(server, client, b"LATER")
    buf = bytearray(900)
    assert st.sectrans_read(client, buf) == (0, 900)
    assert bytes(buf) == message[124:]
    assert check(st.sectrans_get_buffered_read_size(client)) == 0
    buf = bytearray(100)
    assert st.sectrans_read(client, buf) == (0, 5)
    assert bytes(buf[:5]) == b"LATER"


@pytest.mark.parametrize("transport", ["memory", "fd"])
def test_leftover_is_returned_without_waiting_for_another_record(pki, transport):
    message = b"m" * 3000
    big = bytearray(10000)
    if transport == "memory":
        client, server = _connected_pair(pki)
        _send(server, client, message)
        cleanup = None
    else:
        pair = FdPair(pki.ecdsa_p256)
        client, server, cleanup = pair.client, pair.server, pair.close
        fd_handshake(client, server)
        assert st.sectrans_write(server, message) == (0, len(message))
    try:
        assert st.sectrans_read(client, bytearray(1000)) == (0, 1000)
        # 2000 bytes are left and nothing more will arrive: the read returns
        # them with success; it neither waits nor reports would-block.
        status, n = st.sectrans_read(client, big)
        assert (status, n) == (0, 2000), describe(status, client)
        # Only then does a read wait for the next record.
        assert st.sectrans_read(client, big) == (WOULD_BLOCK, 0)
        assert st.sectrans_wants(client) == st.SECTRANS_WANT_READ
    finally:
        if cleanup:
            cleanup()


def test_one_record_at_most_per_call(pki):
    client, server = _connected_pair(pki)
    _send(server, client, b"A" * 100, b"B" * 200, b"C" * 300)
    buf = bytearray(10000)
    for expected in (b"A" * 100, b"B" * 200, b"C" * 300):
        status, n = st.sectrans_read(client, buf)
        assert status == 0, describe(status, client)
        assert bytes(buf[:n]) == expected
    assert st.sectrans_read(client, buf) == (WOULD_BLOCK, 0)


class _OpenSSLServer:
    """A TLS 1.3 server from Python's ssl module (OpenSSL) over memory BIOs.
    OpenSSL sends two session tickets right after its handshake completes,
    which gives the records without data this file needs (sectrans's own
    server does not send tickets)."""

    def __init__(self, leaf):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_3
        context.load_cert_chain(leaf.cert_file, leaf.key_file)
        self.incoming, self.outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.obj = context.wrap_bio(self.incoming, self.outgoing, server_side=True)

    def handshake(self):
        try:
            self.obj.do_handshake()
            return True
        except ssl.SSLWantReadError:
            return False


def _records(data):
    """The (content type, length) of each TLS record in data."""
    out = []
    while data:
        size = 5 + int.from_bytes(data[3:5], "big")
        out.append((data[0], size))
        data = data[size:]
    return out


def _tls13_tickets(pki):
    """A sectrans client connected to an OpenSSL server, and the server's
    session tickets (ciphertext the client has not seen yet)."""
    client = make_context(CLIENT, anchors=pki.ca_pem, peer_name="localhost")
    server = _OpenSSLServer(pki.ecdsa_p256)
    client_done = server_done = False
    tickets = b""
    for _ in range(10):
        if not client_done:
            status = st.sectrans_handshake(client)
            assert status in (0, WOULD_BLOCK), describe(status, client)
            client_done = status == 0
        server.incoming.write(take_all(client))
        if client_done and server_done:
            break
        server_done = server_done or server.handshake()
        flight = server.outgoing.read()
        if client_done:
            tickets = flight  # what the server sent after the client's handshake
        elif flight:
            check(st.sectrans_feed_input(client, flight), "feed_input", client)
    assert client_done and server_done, "handshake with OpenSSL did not finish"
    assert tickets and all(kind == 23 for kind, _ in _records(tickets)), _records(tickets)
    return client, server, tickets


@pytest.mark.parametrize("followed_by_data", [False, True], ids=["alone", "then_data"])
def test_records_without_data_are_consumed_transparently(pki, followed_by_data):
    client, server, tickets = _tls13_tickets(pki)
    buf = bytearray(100)
    if followed_by_data:
        # One call goes through the tickets and returns the data behind them.
        server.obj.write(b"hello")
        check(st.sectrans_feed_input(client, tickets + server.outgoing.read()))
        status, n = st.sectrans_read(client, buf)
        assert (status, bytes(buf[:n])) == (0, b"hello"), describe(status, client)
    else:
        # Only records without data: consumed, and the read says would-block;
        # never success with 0 bytes.
        check(st.sectrans_feed_input(client, tickets))
        status, n = st.sectrans_read(client, buf)
        assert (status, n) == (WOULD_BLOCK, 0), describe(status, client)
        assert check(st.sectrans_get_buffered_read_size(client)) == 0
    assert check(st.sectrans_get_session_state(client)) == st.SECTRANS_STATE_CONNECTED


@pytest.mark.parametrize("buf", [bytearray(0), None], ids=["empty", "None"])
def test_read_of_length_zero_returns_zero(pki, buf):
    client, server = _connected_pair(pki)
    _send(server, client, b"waiting")
    assert st.sectrans_read(client, buf) == (0, 0)
    # Nothing was consumed.
    out = bytearray(100)
    assert st.sectrans_read(client, out) == (0, 7)
    assert bytes(out[:7]) == b"waiting"
