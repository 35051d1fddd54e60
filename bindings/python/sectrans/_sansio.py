"""Sans-I/O: ``MemoryBIO`` and ``SSLObject``, shaped like ssl's.

The SSLObject runs over the library's memory transport. Every call first
hands whatever sits in ``incoming`` to the library, and afterwards moves all
ciphertext the library produced into ``outgoing``; so the only retry
condition left is ``SSLWantReadError`` (``write()`` never raises
``SSLWantWriteError``), as with ssl.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Union, overload

from . import _sectrans as _st
from ._connection import TLSConnection
from ._errors import SSLEOFError, SSLWantReadError, SSLZeroReturnError

if TYPE_CHECKING:
    from typing_extensions import Buffer

    from ._context import SSLContext, SSLSession

__all__ = ["MemoryBIO", "SSLObject"]

_WOULD_BLOCK = _st.SECTRANS_WOULD_BLOCK
_GRACEFUL = _st.SECTRANS_CLOSED_GRACEFUL
_ABORT = _st.SECTRANS_CLOSED_ABORT


class MemoryBIO:
    """A byte buffer between an SSLObject and the network."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._eof = False

    @property
    def pending(self) -> int:
        """Bytes buffered."""
        return len(self._buf)

    @property
    def eof(self) -> bool:
        """True once write_eof() was called and every byte was read."""
        return self._eof and not self._buf

    def read(self, size: int = -1) -> bytes:
        """Removes and returns up to size bytes (all when size < 0)."""
        if size < 0 or size >= len(self._buf):
            data = bytes(self._buf)
            self._buf.clear()
        else:
            data = bytes(self._buf[:size])
            del self._buf[:size]
        return data

    def write(self, data: Buffer) -> int:
        """Appends data; returns its length."""
        if self._eof:
            raise ValueError("cannot write() after write_eof()")
        view = memoryview(data).cast("B")
        self._buf += view
        return len(view)

    def write_eof(self) -> None:
        """Marks the end of the stream (no more writes)."""
        self._eof = True


class SSLObject(TLSConnection):
    """A TLS connection over two MemoryBIOs (made by ``SSLContext.wrap_bio``)."""

    _incoming: MemoryBIO
    _outgoing: MemoryBIO
    _eof_fed: bool
    _shutdown_sent: bool

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError(
            "%s does not have a public constructor; use "
            "SSLContext.wrap_bio()" % self.__class__.__name__
        )

    @classmethod
    def _create(
        cls,
        context: "SSLContext",
        incoming: MemoryBIO,
        outgoing: MemoryBIO,
        server_side: bool,
        server_hostname: Optional[str],
        session: Optional["SSLSession"],
    ) -> "SSLObject":
        if not isinstance(incoming, MemoryBIO) or not isinstance(outgoing, MemoryBIO):
            raise TypeError("incoming and outgoing must be sectrans.MemoryBIO objects")
        self = cls.__new__(cls)
        self._incoming = incoming
        self._outgoing = outgoing
        self._eof_fed = False
        self._shutdown_sent = False
        self._init_tls(context, server_side, server_hostname, session)
        return self

    def _feed(self) -> Any:
        handle = self._live_handle()
        if self._incoming._buf:
            _st.sectrans_feed_input(handle, self._incoming._buf)
            self._incoming._buf.clear()
        if self._incoming._eof and not self._eof_fed:
            self._eof_fed = True
            _st.sectrans_feed_eof(handle)
        return handle

    def _drain(self) -> None:
        status, pending = _st.sectrans_output_pending(self._handle)
        if status == 0 and pending:
            out = bytearray(pending)
            status, n = _st.sectrans_take_output(self._handle, out)
            self._outgoing._buf += out[:n] if n != pending else out

    def _finish(self, status: int) -> int:
        """Moves output, then raises for anything but success."""
        self._drain()
        if self._status(status) == _WOULD_BLOCK:
            raise SSLWantReadError(_WOULD_BLOCK, "The operation did not complete (read)")
        return status

    def do_handshake(self) -> None:
        """Advances the handshake; SSLWantReadError until it is done."""
        self._feed()
        try:
            status = self._handshake_step()
        finally:
            self._drain()
        self._finish(status)

    @overload
    def read(self, len: int = 1024) -> bytes: ...

    @overload
    def read(self, len: int, buffer: Buffer) -> int: ...

    def read(self, len: int = 1024, buffer: Optional[Buffer] = None) -> Union[bytes, int]:
        """Up to len decrypted bytes (or their count, read into buffer);
        b'' / 0 after the peer's close_notify. SSLWantReadError when no data
        is ready; SSLEOFError when the stream ended without close_notify."""
        handle = self._feed()
        if not self._handshake_done:
            self.do_handshake()
        target = bytearray(len) if buffer is None else buffer
        view = memoryview(target).cast("B")
        if buffer is not None and len:
            view = view[:len]
        status, n = _st.sectrans_read(handle, view)
        if status == _GRACEFUL:
            self._drain()  # our answering close_notify
        elif status == _ABORT and not n:
            raise SSLEOFError(_ABORT, "EOF occurred in violation of protocol")
        elif not n:
            self._finish(status)
        else:
            self._drain()
        view.release()  # lets target be resized below
        if buffer is not None:
            return int(n)
        assert isinstance(target, bytearray)
        del target[n:]
        return bytes(target)

    def write(self, data: Buffer) -> int:
        """Encrypts all of data into outgoing; returns its length."""
        handle = self._feed()
        if not self._handshake_done:
            self.do_handshake()
        status, n = _st.sectrans_write(handle, data)
        if status == _GRACEFUL:
            self._drain()
            raise SSLZeroReturnError(status, "TLS/SSL connection has been closed (EOF)")
        self._finish(status if status != _WOULD_BLOCK else 0)
        return int(n)

    def unwrap(self) -> None:
        """Sends close_notify (into outgoing) and waits for the peer's:
        SSLWantReadError until it arrived. Data before it is discarded."""
        handle = self._feed()
        if not self._shutdown_sent:
            self._shutdown_sent = True
            self._finish(self._shutdown_write())
        buf = bytearray(16384)
        while True:
            status, n = _st.sectrans_read(handle, buf)
            if status in (_GRACEFUL, _ABORT):
                self._drain()
                return
            if not n:
                self._finish(status)

    def __repr__(self) -> str:
        return "<sectrans.SSLObject server_side=%s version=%s>" % (self.server_side, self.version())
