"""asyncio streams over sectrans.

asyncio's own TLS (``start_tls``, ``ssl=`` of ``create_connection``) accepts
only ``ssl.SSLContext``, so this module brings its own: a protocol that runs
a sectrans ``SSLObject`` over a plain TCP transport and presents a transport
to the application's protocol. ``open_connection`` and ``start_server``
return the standard ``StreamReader`` / ``StreamWriter``::

    reader, writer = await sectrans.asyncio.open_connection(
        "127.0.0.1", 443, ssl=ctx, server_hostname="localhost")
"""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable, Optional, Tuple, Union

from ._context import SSLContext
from ._errors import SSLError, SSLWantReadError
from ._sansio import MemoryBIO, SSLObject

__all__ = ["open_connection", "start_server", "TLSProtocol"]

_READ_SIZE = 256 * 1024  # plaintext per read() call
_WRITE_CHUNK = 256 * 1024  # plaintext per write() call into the SSLObject
_LIMIT = 2**16  # StreamReader's default buffer limit

ClientConnectedCallback = Callable[
    [asyncio.StreamReader, asyncio.StreamWriter], Union[None, Awaitable[None]]
]


class _AppTransport(asyncio.Transport):
    """The transport the application protocol sees: plaintext in, TLS out."""

    def __init__(self, tls: "TLSProtocol") -> None:
        super().__init__()
        self._tls = tls
        self._closing = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """ssl's keys ('ssl_object', 'peercert', 'cipher', 'sslcontext',
        'compression') and those of the TCP transport ('peername', ...)."""
        return self._tls._extra_info(name, default)

    def write(self, data: Union[bytes, bytearray, memoryview]) -> None:
        """Encrypts data and hands the ciphertext to the TCP transport."""
        if self._closing:
            raise RuntimeError("write() after close()")
        self._tls._write(data)

    def write_eof(self) -> None:
        """Sends close_notify; reading goes on until the peer's."""
        self._tls._write_eof()

    def can_write_eof(self) -> bool:
        """True: close_notify is TLS's half-close."""
        return True

    def is_closing(self) -> bool:
        """Whether close() or abort() was called or the connection ended."""
        return self._closing or self._tls._raw is None or self._tls._raw.is_closing()

    def close(self) -> None:
        """Sends close_notify and closes the TCP transport once flushed."""
        if not self._closing:
            self._closing = True
            self._tls._close()

    def abort(self) -> None:
        """Closes the TCP connection at once, without close_notify."""
        self._closing = True
        if self._tls._raw is not None:
            self._tls._raw.abort()

    def pause_reading(self) -> None:
        """Stops reading from the network."""
        if self._tls._raw is not None:
            self._tls._raw.pause_reading()

    def resume_reading(self) -> None:
        """Resumes reading from the network."""
        if self._tls._raw is not None:
            self._tls._raw.resume_reading()

    def is_reading(self) -> bool:
        """Whether the TCP transport reads."""
        return self._tls._raw is not None and self._tls._raw.is_reading()

    def set_write_buffer_limits(
        self, high: Optional[int] = None, low: Optional[int] = None
    ) -> None:
        """Flow control limits of the TCP transport's write buffer."""
        if self._tls._raw is not None:
            self._tls._raw.set_write_buffer_limits(high, low)

    def get_write_buffer_size(self) -> int:
        """Ciphertext waiting in the TCP transport."""
        return self._tls._raw.get_write_buffer_size() if self._tls._raw else 0


class TLSProtocol(asyncio.Protocol):
    """Runs a sectrans SSLObject over a TCP transport, for app_protocol."""

    def __init__(
        self,
        context: SSLContext,
        app_protocol: asyncio.Protocol,
        *,
        server_side: bool = False,
        server_hostname: Optional[str] = None,
        loop: Optional[asyncio.AbstractEventLoop] = None,
    ) -> None:
        self._loop = loop or asyncio.get_running_loop()
        self._incoming = MemoryBIO()
        self._outgoing = MemoryBIO()
        self._sslobj: SSLObject = context.wrap_bio(
            self._incoming, self._outgoing, server_side=server_side, server_hostname=server_hostname
        )
        self._app_protocol = app_protocol
        self._app_transport = _AppTransport(self)
        self._raw: Optional[asyncio.Transport] = None
        self._handshake_done = False
        self.handshake: asyncio.Future[None] = self._loop.create_future()
        # A server's failed handshake has nobody awaiting it: mark it seen.
        self.handshake.add_done_callback(lambda f: f.cancelled() or f.exception())

    # -- the TCP side -------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Starts the handshake."""
        assert isinstance(transport, asyncio.Transport)
        self._raw = transport
        self._advance()

    def data_received(self, data: bytes) -> None:
        """Decrypts what arrived and passes plaintext to the application."""
        self._incoming.write(data)
        self._advance()

    def eof_received(self) -> Optional[bool]:
        """The TCP stream ended: a truncation unless close_notify came."""
        self._incoming.write_eof()
        self._advance()
        return False

    def connection_lost(self, exc: Optional[Exception]) -> None:
        """Tells the application (or fails a pending handshake)."""
        self._raw = None
        if not self.handshake.done():
            self.handshake.set_exception(
                exc or ConnectionResetError("connection lost during the TLS handshake")
            )
        elif self._handshake_done:
            self._app_protocol.connection_lost(exc)

    def pause_writing(self) -> None:
        """Passes TCP flow control on to the application."""
        if self._handshake_done:
            self._app_protocol.pause_writing()

    def resume_writing(self) -> None:
        """Passes TCP flow control on to the application."""
        if self._handshake_done:
            self._app_protocol.resume_writing()

    # -- TLS --------------------------------------------------------------

    def _flush(self) -> None:
        if self._outgoing.pending and self._raw is not None and not self._raw.is_closing():
            self._raw.write(self._outgoing.read())

    def _advance(self) -> None:
        """Handshake, then read everything available; errors end the
        connection."""
        try:
            if not self._handshake_done:
                self._step_handshake()
            if self._handshake_done:
                self._read_all()
        except Exception as exc:  # TLS errors, or an sni_callback's own
            self._fail(exc)
        finally:
            self._flush()

    def _step_handshake(self) -> None:
        try:
            self._sslobj.do_handshake()
        except SSLWantReadError:
            return
        self._handshake_done = True
        self.handshake.set_result(None)
        self._app_protocol.connection_made(self._app_transport)

    def _read_all(self) -> None:
        while True:
            try:
                data = self._sslobj.read(_READ_SIZE)
            except SSLWantReadError:
                return
            if not data:
                self._flush()
                if not self._app_protocol.eof_received():
                    self._app_transport.close()
                return
            self._app_protocol.data_received(data)

    def _fail(self, exc: Exception) -> None:
        self._flush()
        if not self.handshake.done():
            self.handshake.set_exception(exc)
        if self._raw is not None:
            self._raw.close()

    def _write(self, data: Union[bytes, bytearray, memoryview]) -> None:
        view = memoryview(data).cast("B")
        for start in range(0, len(view), _WRITE_CHUNK):
            self._sslobj.write(view[start : start + _WRITE_CHUNK])
            self._flush()

    def _write_eof(self) -> None:
        try:
            self._sslobj.unwrap()
        except SSLWantReadError:
            pass  # the peer's close_notify arrives through data_received
        self._flush()

    def _close(self) -> None:
        if self._raw is None:
            return
        try:
            self._write_eof()
        except SSLError:
            pass  # closing anyway
        self._raw.close()

    def _extra_info(self, name: str, default: Any) -> Any:
        if name == "ssl_object":
            return self._sslobj
        if name == "sslcontext":
            return self._sslobj.context
        if name == "peercert":
            return self._sslobj.getpeercert()
        if name == "cipher":
            return self._sslobj.cipher()
        if name == "compression":
            return None
        return self._raw.get_extra_info(name, default) if self._raw else default


async def open_connection(
    host: Optional[str] = None,
    port: Optional[int] = None,
    *,
    ssl: SSLContext,
    server_hostname: Optional[str] = None,
    limit: int = _LIMIT,
    **kwargs: Any,
) -> Tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Connects over TCP, runs the TLS handshake and returns a
    (StreamReader, StreamWriter) pair. server_hostname defaults to host.
    Other keyword arguments go to ``loop.create_connection``."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=limit, loop=loop)
    app = asyncio.StreamReaderProtocol(reader, loop=loop)
    if server_hostname is None and ssl.check_hostname:
        server_hostname = host
    tls = TLSProtocol(ssl, app, server_hostname=server_hostname, loop=loop)
    raw, _ = await loop.create_connection(lambda: tls, host, port, **kwargs)  # type: ignore[arg-type]
    try:
        await tls.handshake
    except BaseException:
        raw.close()
        raise
    writer = asyncio.StreamWriter(tls._app_transport, app, reader, loop)
    return reader, writer


async def start_server(
    client_connected_cb: ClientConnectedCallback,
    host: Optional[str] = None,
    port: Optional[int] = None,
    *,
    ssl: SSLContext,
    limit: int = _LIMIT,
    **kwargs: Any,
) -> asyncio.Server:
    """Starts a TLS server; client_connected_cb(reader, writer) runs for
    each connection once its handshake completed. Other keyword arguments go
    to ``loop.create_server``."""
    loop = asyncio.get_running_loop()

    def factory() -> TLSProtocol:
        reader = asyncio.StreamReader(limit=limit, loop=loop)
        app = asyncio.StreamReaderProtocol(reader, client_connected_cb, loop=loop)
        return TLSProtocol(ssl, app, server_side=True, loop=loop)

    return await loop.create_server(factory, host, port, **kwargs)
