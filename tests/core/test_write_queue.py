"""sectrans_write's queue (docs/secure-transport.md, "Write"; header contract).

- fd transport, receiver not reading: a write whose records do not all
  leave returns would-block with processed == len (the bytes are taken);
  while that queue is undrained a write of new data returns would-block
  with processed 0 and does not take the data; sectrans_write(ctx, None or
  b"") only flushes; once the peer drains, the flush completes and every
  taken byte arrives exactly once and in order.
- memory transport: write always takes all data; the caller moves it with
  sectrans_take_output, in pieces of any size; sectrans_output_pending and
  sectrans_wants follow the queue.
"""

import socket

import pytest
from fd_sockets import FdPair, fd_handshake
from helpers import WOULD_BLOCK, check, describe, handshake, make_pair, pump, st

CHUNK = 64 * 1024


def _pattern(index, size):
    """A chunk whose bytes say which chunk they belong to."""
    unit = b"%08d" % index
    return (unit * (size // len(unit) + 1))[:size]


@pytest.mark.parametrize("flush_arg", [None, b""], ids=["None", "empty"])
def test_fd_queue_would_block_then_flush_delivers_once_in_order(pki, flush_arg):
    pair = FdPair(pki.ecdsa_p256, kind="unix")
    try:
        # Small kernel buffers so they fill quickly.
        pair.csock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16384)
        pair.ssock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
        fd_handshake(pair.client, pair.server)
        client, server = pair.client, pair.server

        # Fill the kernel buffers: the server does not read.
        taken = []
        for i in range(1000):
            chunk = _pattern(i, CHUNK)
            status, processed = st.sectrans_write(client, chunk)
            assert processed == len(chunk), "write %d returned %s with processed %d of %d" % (
                i,
                describe(status, client),
                processed,
                len(chunk),
            )
            taken.append(chunk)
            if status == WOULD_BLOCK:
                break
            assert status == 0, describe(status, client)
        else:
            pytest.fail("the kernel buffers never filled")
        assert st.sectrans_wants(client) == st.SECTRANS_WANT_WRITE

        # New data is refused while the queue is undrained.
        refused = b"R" * 1000
        assert st.sectrans_write(client, refused) == (WOULD_BLOCK, 0)
        # A flush cannot complete either.
        assert st.sectrans_write(client, flush_arg) == (WOULD_BLOCK, 0)
        assert st.sectrans_wants(client) == st.SECTRANS_WANT_WRITE

        # The server drains; the client flushes until the queue is empty.
        expected = b"".join(taken)
        received = bytearray()
        buf = bytearray(65536)
        flushed = False
        for _ in range(100000):
            status, n = st.sectrans_read(server, buf)
            assert status in (0, WOULD_BLOCK), describe(status, server)
            received += buf[:n]
            if not flushed:
                status, processed = st.sectrans_write(client, flush_arg)
                assert processed == 0
                assert status in (0, WOULD_BLOCK), describe(status, client)
                flushed = status == 0
            elif status == WOULD_BLOCK and n == 0:
                break
        assert flushed, "the flush never completed"
        assert len(received) == len(expected)
        assert bytes(received) == expected, "bytes lost, repeated or reordered"
        assert st.sectrans_wants(client) == st.SECTRANS_WANT_NOTHING

        # With the queue drained, new data is taken again.
        assert st.sectrans_write(client, b"after") == (0, 5)
        for _ in range(100):
            status, n = st.sectrans_read(server, buf)
            if n:
                break
        assert (status, bytes(buf[:n])) == (0, b"after")
    finally:
        pair.close()


def test_memory_write_takes_everything_and_take_output_moves_it(pki):
    client, server = make_pair(pki.ecdsa_p256)
    handshake(client, server)
    pump(client, server)
    assert check(st.sectrans_output_pending(client)) == 0
    assert st.sectrans_wants(client) == st.SECTRANS_WANT_NOTHING
    # Nothing queued: take_output succeeds with 0 bytes.
    assert st.sectrans_take_output(client, bytearray(100)) == (0, 0)

    # Two large writes without taking any output: both are taken whole.
    first = _pattern(1, 1 << 20)
    second = _pattern(2, 300000)
    assert st.sectrans_write(client, first) == (0, len(first))
    queued = check(st.sectrans_output_pending(client))
    assert queued > len(first)
    assert st.sectrans_wants(client) & st.SECTRANS_WANT_WRITE
    assert st.sectrans_write(client, second) == (0, len(second))
    queued = check(st.sectrans_output_pending(client))
    assert queued > len(first) + len(second)

    # take_output copies up to the buffer's size and removes what it copied.
    ciphertext = bytearray()
    assert st.sectrans_take_output(client, bytearray(0)) == (0, 0)
    for size in (1, 4, 1000, 65536):
        buf = bytearray(size)
        assert st.sectrans_take_output(client, buf) == (0, size)
        ciphertext += buf
        queued -= size
        assert check(st.sectrans_output_pending(client)) == queued
    buf = bytearray(queued + 100)
    assert st.sectrans_take_output(client, buf) == (0, queued)
    ciphertext += buf[:queued]
    assert check(st.sectrans_output_pending(client)) == 0
    assert st.sectrans_wants(client) == st.SECTRANS_WANT_NOTHING

    # The peer gets every byte once, in order.
    check(st.sectrans_feed_input(server, bytes(ciphertext)), "feed_input", server)
    received = bytearray()
    rbuf = bytearray(1 << 16)
    for _ in range(1000):
        status, n = st.sectrans_read(server, rbuf)
        received += rbuf[:n]
        if status != 0:
            break
    assert status == WOULD_BLOCK, describe(status, server)
    assert bytes(received) == first + second
