"""Threads and coexistence: Python's ssl and sectrans in one process, both
making TLS connections at the same time. 8 client threads each run 50
handshakes with a small exchange plus one 1 MiB transfer each way; even
threads are sectrans clients of an ssl server, odd ones ssl clients of a
sectrans server (both servers are threads of this process too). Every
byte is checked; nothing is lost or corrupted."""

import hashlib
import os
import struct
import threading

import py_support as ps

THREADS = 8
HANDSHAKES = 50
BIG = 1 << 20


def digest_handler(conn):
    """Reads (size, data) and answers sha256(data) + data reversed."""
    size = struct.unpack("!Q", ps.recv_exactly(conn, 8))[0]
    data = ps.recv_exactly(conn, size)
    conn.sendall(hashlib.sha256(data).digest() + data[::-1])


def exchange(ctx, address, data):
    with ps.connect(ctx, address) as tls:
        tls.sendall(struct.pack("!Q", len(data)) + data)
        reply = ps.recv_exactly(tls, 32 + len(data))
        version = tls.version()
    assert reply[:32] == hashlib.sha256(data).digest()
    assert reply[32:] == data[::-1]
    return version


def test_eight_threads_ssl_and_sectrans_together(leaf_ecdsa_p256):
    leaf = leaf_ecdsa_p256
    per_server = THREADS // 2 * (HANDSHAKES + 1)
    ssl_srv = ps.ssl_echo_server(leaf, connections=per_server, handler=digest_handler)
    st_srv = ps.sectrans_echo_server(
        ps.sectrans_server(leaf), connections=per_server, handler=digest_handler
    )
    results, errors = [], []

    def client(index):
        try:
            if index % 2 == 0:
                ctx, address = ps.sectrans_client(leaf), ssl_srv.address
            else:
                ctx, address = ps.ssl_client(leaf), st_srv.address
            versions = set()
            for i in range(HANDSHAKES):
                versions.add(exchange(ctx, address, b"thread %d handshake %d" % (index, i)))
            versions.add(exchange(ctx, address, os.urandom(BIG)))
            results.append((index, versions))
        except BaseException as e:  # reported by the main thread
            errors.append((index, e))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a client thread hangs"
    ssl_srv.stop()
    st_srv.stop()
    assert not errors, errors
    assert sorted(i for i, _ in results) == list(range(THREADS))
    assert all(v == {"TLSv1.3"} for _, v in results)
