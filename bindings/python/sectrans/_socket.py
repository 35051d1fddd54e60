"""``SSLSocket``: a TLS socket shaped like ``ssl.SSLSocket``.

Ciphertext moves through the library's fd transport, so no Python code runs
per record: in blocking mode a read or write blocks inside the library with
the GIL released. With a timeout the socket is non-blocking underneath; the
library's would-block status is waited out with ``poll`` on what it wants
(``sectrans_wants``), up to the timeout. Non-blocking sockets raise
``SSLWantReadError`` / ``SSLWantWriteError``.
"""

from __future__ import annotations

import errno
import select
import socket
import time
from typing import TYPE_CHECKING, Any, Callable, Optional, Tuple

from . import _sectrans as _st
from ._connection import TLSConnection
from ._errors import SSLEOFError, error_for

if TYPE_CHECKING:
    from typing_extensions import Buffer

    from ._context import SSLContext, SSLSession

__all__ = ["SSLSocket"]

_WOULD_BLOCK = _st.SECTRANS_WOULD_BLOCK
_GRACEFUL = _st.SECTRANS_CLOSED_GRACEFUL
_ABORT = _st.SECTRANS_CLOSED_ABORT
_Step = Callable[[], Tuple[int, int]]


class SSLSocket(socket.socket, TLSConnection):
    """A socket speaking TLS (made by ``SSLContext.wrap_socket``)."""

    do_handshake_on_connect: bool
    suppress_ragged_eofs: bool
    _session_arg: Optional["SSLSession"]
    _closed: bool

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError(
            "%s does not have a public constructor; use "
            "SSLContext.wrap_socket()" % self.__class__.__name__
        )

    @classmethod
    def _create(
        cls,
        context: "SSLContext",
        sock: socket.socket,
        server_side: bool,
        do_handshake_on_connect: bool,
        suppress_ragged_eofs: bool,
        server_hostname: Optional[str],
        session: Optional["SSLSession"],
    ) -> "SSLSocket":
        if sock.type != socket.SOCK_STREAM:
            raise NotImplementedError("only stream sockets are supported")
        context._validate_peer(server_side, server_hostname, session)
        kwargs = dict(family=sock.family, type=sock.type, proto=sock.proto, fileno=sock.fileno())
        self = cls.__new__(cls, **kwargs)
        super(SSLSocket, self).__init__(**kwargs)
        timeout = sock.gettimeout()
        sock.detach()
        self.settimeout(timeout)
        self._context = context
        self.server_side = server_side
        self.server_hostname = server_hostname
        self.do_handshake_on_connect = do_handshake_on_connect
        self.suppress_ragged_eofs = suppress_ragged_eofs
        self._session_arg = session
        self._handle = None
        self._keylog = None
        self._handshake_done = False
        try:
            self.getpeername()
        except OSError as e:
            if e.errno != errno.ENOTCONN:
                raise
            return self  # connect() or accept() comes later
        try:
            self._start_tls()
        except BaseException:
            self.close()  # as ssl does: the wrapped socket owns the fd now
            raise
        return self

    def _start_tls(self) -> None:
        self._init_tls(self._context, self.server_side, self.server_hostname, self._session_arg)
        self._status(_st.sectrans_set_fd(self._handle, self.fileno()))
        if self.do_handshake_on_connect:
            if self.gettimeout() == 0.0:
                raise ValueError(
                    "do_handshake_on_connect should not be specified for non-blocking sockets"
                )
            self.do_handshake()

    # -- waiting -------------------------------------------------------------

    def _wait(self, deadline: Optional[float]) -> None:
        """After would-block: raise in non-blocking mode, else poll for what
        the library wants until the deadline."""
        timeout = self.gettimeout()
        if timeout == 0.0:
            raise error_for(_WOULD_BLOCK, self._handle)
        wants = _st.sectrans_wants(self._handle)
        events = (select.POLLOUT if wants & _st.SECTRANS_WANT_WRITE else 0) | (
            select.POLLIN if wants & _st.SECTRANS_WANT_READ or not wants else 0
        )
        poller = select.poll()
        poller.register(self.fileno(), events)
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
        if not poller.poll(None if remaining is None else remaining * 1000):
            raise socket.timeout("The operation timed out")

    def _io(self, step: _Step) -> Tuple[int, int]:
        """Runs step until it no longer returns would-block."""
        timeout = self.gettimeout()
        deadline = time.monotonic() + timeout if timeout else None
        while True:
            status, value = step()
            if status != _WOULD_BLOCK:
                return status, value
            self._wait(deadline)

    # -- the TLS session -----------------------------------------------------

    def _connected_handle(self) -> Any:
        if self._handle is None:
            if self._closed:
                raise OSError(errno.EBADF, "Bad file descriptor")
            raise OSError(errno.ENOTCONN, "the socket is not connected")
        return self._handle

    def do_handshake(self, block: bool = False) -> None:
        """Runs the handshake (again a no-op once done)."""
        self._connected_handle()
        timeout = self.gettimeout()
        try:
            if block:
                self.settimeout(None)
            self._io(lambda: (self._handshake_step(), 0))
        finally:
            self.settimeout(timeout)

    def _ready(self) -> Any:
        handle = self._connected_handle()
        if not self._handshake_done:
            self.do_handshake()
        return handle

    def _read_step(self, view: memoryview) -> Tuple[int, int]:
        status, n = _st.sectrans_read(self._handle, view)
        if n:
            return 0, n
        if status in (_GRACEFUL, _ABORT):
            return status, 0
        return self._status(status), 0

    def recv_into(self, buffer: Buffer, nbytes: int = 0, flags: int = 0) -> int:
        """Reads decrypted bytes into buffer; 0 at the end of the stream."""
        if flags:
            raise ValueError("non-zero flags not allowed in calls to recv_into()")
        handle = self._ready()
        view = memoryview(buffer).cast("B")
        if nbytes:
            view = view[:nbytes]
        # Fast path: data ready (or a blocking read that got some).
        status, n = _st.sectrans_read(handle, view)
        if n or not len(view):
            return int(n)
        if status != _WOULD_BLOCK:
            status, n = self._read_step(view)
        else:
            status, n = self._io(lambda: self._read_step(view))
        if status == _ABORT and not self.suppress_ragged_eofs:
            raise SSLEOFError(_ABORT, "EOF occurred in violation of protocol")
        return n

    def recv(self, buflen: int = 1024, flags: int = 0) -> bytes:
        """Reads up to buflen decrypted bytes; b'' at the end of the stream."""
        buf = bytearray(buflen)
        n = self.recv_into(buf, buflen, flags)
        del buf[n:]
        return bytes(buf)

    def read(self, len: int = 1024, buffer: Optional[bytearray] = None) -> Any:
        """ssl's read(): recv(len), or recv_into(buffer, len) when given."""
        if buffer is not None:
            return self.recv_into(buffer, len)
        return self.recv(len)

    def _write_step(self, view: Optional[memoryview]) -> Tuple[int, int]:
        status, n = _st.sectrans_write(self._handle, view)
        if n:
            return 0, n  # taken; a would-block part leaves on a later call
        return self._status(status), 0

    def send(self, data: Buffer, flags: int = 0) -> int:
        """Encrypts and sends data; returns the bytes taken."""
        if flags:
            raise ValueError("non-zero flags not allowed in calls to send()")
        self._ready()
        view = memoryview(data).cast("B")
        return self._io(lambda: self._write_step(view))[1]

    def write(self, data: Buffer) -> int:
        """ssl's write(): send(data)."""
        return self.send(data)

    def sendall(self, data: Buffer, flags: int = 0) -> None:
        """Sends all of data, and waits until it left the process."""
        if flags:
            raise ValueError("non-zero flags not allowed in calls to sendall()")
        handle = self._ready()
        # Fast path: the library takes everything and a blocking socket
        # sends it all in this one call.
        status, total = _st.sectrans_write(handle, data)
        if status == 0:
            return
        self._status(status)  # raises unless would-block
        view = memoryview(data).cast("B")
        while total < len(view):
            total += self.send(view[total:])
        self._io(lambda: self._write_step(None))

    def sendfile(self, file: Any, offset: int = 0, count: Optional[int] = None) -> int:
        """Sends a file through TLS (never the kernel's sendfile)."""
        return self._sendfile_use_send(file, offset, count)  # type: ignore[attr-defined,no-any-return]

    def unwrap(self) -> socket.socket:
        """Sends close_notify, waits for the peer's (discarding data sent
        before it) and returns the plain socket."""
        self._connected_handle()
        self._io(lambda: (self._shutdown_write(), 0))
        buf = memoryview(bytearray(16384))
        while self._io(lambda: self._read_step(buf))[0] == 0:
            pass
        self._release_tls()
        timeout = self.gettimeout()
        plain = socket.socket(self.family, self.type, self.proto, fileno=self.detach())
        plain.settimeout(timeout)
        return plain

    def _real_close(self) -> None:
        """Sends close_notify (one non-blocking attempt) and frees the TLS
        session before closing the descriptor; safe to repeat."""
        if self._handle is not None and self._handshake_done and self.fileno() >= 0:
            self.setblocking(False)
            _st.sectrans_close(self._handle)
        self._release_tls()
        super()._real_close()  # type: ignore[misc]

    # -- socket operations -------------------------------------------------

    def connect(self, address: Any) -> None:
        """Connects, then runs the handshake if do_handshake_on_connect."""
        self._connect(address, False)

    def connect_ex(self, address: Any) -> int:
        """connect() returning an errno instead of raising for it."""
        return self._connect(address, True)

    def _connect(self, address: Any, connect_ex: bool) -> int:
        if self.server_side:
            raise ValueError("can't connect in server-side mode")
        if self._handle is not None:
            raise ValueError("attempt to connect already-connected SSLSocket!")
        if connect_ex:
            rc = super().connect_ex(address)
        else:
            rc = 0
            super().connect(address)
        if rc == 0:
            self._start_tls()
        return rc

    def accept(self) -> Tuple["SSLSocket", Any]:
        """Accepts a connection and wraps it as the server side."""
        sock, address = super().accept()
        return self._context.wrap_socket(
            sock,
            server_side=True,
            do_handshake_on_connect=self.do_handshake_on_connect,
            suppress_ragged_eofs=self.suppress_ragged_eofs,
        ), address

    def dup(self) -> "SSLSocket":
        """Not possible: one TLS session has one owner."""
        raise NotImplementedError("Can't dup() %s instances" % self.__class__.__name__)

    def _not_for_tls(self, *args: Any, **kwargs: Any) -> Any:
        """Datagram and ancillary-data calls: not available on a TLS stream."""
        raise NotImplementedError("not available on a TLS socket")

    recvfrom = recvfrom_into = sendto = recvmsg = recvmsg_into = sendmsg = _not_for_tls

    def __repr__(self) -> str:
        return "<sectrans.SSLSocket fd=%d server_side=%s version=%s>" % (
            self.fileno(),
            self.server_side,
            self.version(),
        )
