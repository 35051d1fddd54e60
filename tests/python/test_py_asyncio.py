"""sectrans.asyncio: open_connection / start_server give standard
StreamReader/StreamWriter pairs over the sans-I/O object. An HTTP GET
against `openssl s_server -www`, a 16 MiB echo between a sectrans server
and client (and against Python's ssl server), get_extra_info, and failures
reaching the awaiting caller."""

import asyncio
import functools
import hashlib
import os

import peers
import py_support as ps
import pytest

import sectrans
import sectrans.asyncio as st_asyncio

SIXTEEN_MIB = 16 << 20


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 60))


async def echo_handler(reader, writer):
    """Echoes until EOF, then closes."""
    while True:
        data = await reader.read(1 << 16)
        if not data:
            break
        writer.write(data)
        await writer.drain()
    writer.close()
    await writer.wait_closed()


async def send_and_hash(reader, writer, payload):
    """Writes payload while reading its echo (all of it: TLS over asyncio
    has no half-close, as with ssl), then closes; returns (bytes, sha256)."""

    async def send():
        for start in range(0, len(payload), 1 << 20):
            writer.write(payload[start : start + (1 << 20)])
            await writer.drain()

    digest, total = hashlib.sha256(), 0
    sender = asyncio.ensure_future(send())
    while total < len(payload):
        chunk = await reader.read(1 << 18)
        if not chunk:
            break
        digest.update(chunk)
        total += len(chunk)
    await sender
    writer.close()
    await writer.wait_closed()
    return total, digest.digest()


def test_http_get_against_openssl_www(reap, tmp_path, leaf_ecdsa_p256):
    server = reap(peers.openssl_server(leaf_ecdsa_p256, str(tmp_path), mode="-www"))
    ctx = ps.sectrans_client(leaf_ecdsa_p256)
    ctx.set_alpn_protocols(["http/1.1"])

    async def main():
        reader, writer = await st_asyncio.open_connection(
            "127.0.0.1", server.port, ssl=ctx, server_hostname="localhost"
        )
        info = writer.get_extra_info
        assert isinstance(info("ssl_object"), sectrans.SSLObject)
        assert info("ssl_object").version() == "TLSv1.3"
        assert info("sslcontext") is ctx
        assert info("peercert")["subjectAltName"][0] == ("DNS", "localhost")
        assert info("cipher")[1] == "TLSv1.3"
        assert info("peername")[0] == "127.0.0.1"
        writer.write(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
        await writer.drain()
        response = await reader.read()  # s_server -www closes after the page
        writer.close()
        await writer.wait_closed()
        return response

    response = run(main())
    assert response.startswith(b"HTTP/1.0 200 ok")
    assert b"TLSv1.3" in response


async def echo_round_trip(start_server, open_connection, payload, version=None):
    """An echo server from start_server(cb, host, port), a client from
    open_connection(port); returns send_and_hash's (bytes, sha256)."""
    server = await start_server(echo_handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        reader, writer = await open_connection(port)
        if version:
            assert writer.get_extra_info("ssl_object").version() == version
        return await send_and_hash(reader, writer, payload)


def test_sixteen_mib_echo_between_sectrans_peers(leaf_ecdsa_p256):
    payload = os.urandom(SIXTEEN_MIB)
    server_ctx = ps.sectrans_server(leaf_ecdsa_p256)
    client_ctx = ps.sectrans_client(leaf_ecdsa_p256)
    start = functools.partial(st_asyncio.start_server, ssl=server_ctx)
    connect = functools.partial(
        st_asyncio.open_connection, "127.0.0.1", ssl=client_ctx, server_hostname="localhost"
    )
    assert run(echo_round_trip(start, connect, payload, "TLSv1.3")) == (
        len(payload),
        hashlib.sha256(payload).digest(),
    )


def test_echo_against_ssl_server(leaf_rsa2048):
    """The asyncio client against Python's ssl (asyncio's own TLS server)."""
    payload = os.urandom(1 << 20)
    start = functools.partial(asyncio.start_server, ssl=ps.ssl_server(leaf_rsa2048, "tls12"))
    connect = functools.partial(
        st_asyncio.open_connection, "localhost", ssl=ps.sectrans_client(leaf_rsa2048)
    )
    assert run(echo_round_trip(start, connect, payload, "TLSv1.2")) == (
        len(payload),
        hashlib.sha256(payload).digest(),
    )


def test_sectrans_server_with_asyncio_ssl_client(leaf_ecdsa_p256):
    """start_server against asyncio's own TLS client (Python's ssl)."""
    payload = os.urandom(1 << 20)
    start = functools.partial(st_asyncio.start_server, ssl=ps.sectrans_server(leaf_ecdsa_p256))
    connect = functools.partial(
        asyncio.open_connection,
        "127.0.0.1",
        ssl=ps.ssl_client(leaf_ecdsa_p256, "tls12"),
        server_hostname="localhost",
    )
    assert run(echo_round_trip(start, connect, payload, "TLSv1.2")) == (
        len(payload),
        hashlib.sha256(payload).digest(),
    )


def test_verification_failure_reaches_open_connection(pki):
    leaf = pki.leaves["expired"]

    async def main():
        server = await st_asyncio.start_server(
            echo_handler, "127.0.0.1", 0, ssl=ps.sectrans_server(leaf)
        )
        port = server.sockets[0].getsockname()[1]
        async with server:
            with pytest.raises(sectrans.SSLCertVerificationError) as info:
                await st_asyncio.open_connection(
                    "127.0.0.1", port, ssl=ps.sectrans_client(leaf), server_hostname="localhost"
                )
            return info.value.status

    assert run(main()) == -9814


def test_sni_callback_exception_reaches_the_client_as_a_failure(leaf_ecdsa_p256):
    """A server-side callback failure ends that connection only; the
    server keeps serving the next one."""
    server_ctx = ps.sectrans_server(leaf_ecdsa_p256)
    calls = []

    def callback(conn, name, context):
        calls.append(name)
        if len(calls) == 1:
            raise RuntimeError("refused")

    server_ctx.sni_callback = callback

    async def main():
        server = await st_asyncio.start_server(echo_handler, "127.0.0.1", 0, ssl=server_ctx)
        port = server.sockets[0].getsockname()[1]
        client_ctx = ps.sectrans_client(leaf_ecdsa_p256)
        async with server:
            with pytest.raises((sectrans.SSLError, ConnectionError)):
                await st_asyncio.open_connection(
                    "127.0.0.1", port, ssl=client_ctx, server_hostname="localhost"
                )
            reader, writer = await st_asyncio.open_connection(
                "127.0.0.1", port, ssl=client_ctx, server_hostname="localhost"
            )
            return await send_and_hash(reader, writer, b"second")

    assert run(main()) == (6, hashlib.sha256(b"second").digest())
    assert calls == ["localhost", "localhost"]
