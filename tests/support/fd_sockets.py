"""Contexts over real sockets (the fd transport, sectrans_set_fd), for the
tests in core/ (test_fd_transport.py, test_read.py, test_write_queue.py).

socket_pair(kind)      two connected blocking sockets: TCP on 127.0.0.1 or
                       an AF_UNIX socketpair
set_io_timeout(s, t)   SO_RCVTIMEO / SO_SNDTIMEO on a blocking socket
FdPair(leaf, ...)      a client and a server context over a socket pair
fd_handshake(c, s)     both handshakes over non-blocking fds, bounded
"""

import socket
import struct

from helpers import WOULD_BLOCK, check, describe, make_pair, st


def socket_pair(kind="tcp"):
    """Two connected stream sockets: a TCP pair on 127.0.0.1 or an AF_UNIX
    socketpair. Both blocking; the caller chooses."""
    if kind == "unix":
        return socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        client = socket.create_connection(listener.getsockname(), timeout=5)
        server, _ = listener.accept()
    client.settimeout(None)
    server.settimeout(None)
    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    server.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return client, server


def set_io_timeout(sock, seconds):
    """A safety net for a socket that stays in blocking mode: SO_RCVTIMEO and
    SO_SNDTIMEO. (socket.settimeout would make the fd non-blocking.) A read
    that times out shows up as sectrans would-block."""
    tv = struct.pack("ll", int(seconds), int((seconds % 1) * 1e6))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, tv)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, tv)


class FdPair:
    """A client and a server context over a connected socket pair.
    Keeps the sockets alive as long as the contexts (sectrans never closes
    them); close() closes the sockets."""

    def __init__(self, leaf, kind="tcp", blocking=False, version=None):
        client_kw = {}
        if version is not None:
            client_kw = dict(min_version=version, max_version=version)
        self.client, self.server = make_pair(leaf, client=client_kw)
        self.csock, self.ssock = socket_pair(kind)
        for sock in (self.csock, self.ssock):
            sock.setblocking(blocking)
        check(st.sectrans_set_fd(self.client, self.csock.fileno()), "set_fd", self.client)
        check(st.sectrans_set_fd(self.server, self.ssock.fileno()), "set_fd", self.server)

    def close(self):
        self.csock.close()
        self.ssock.close()


def fd_handshake(client, server, max_rounds=200):
    """Runs both handshakes over non-blocking fds in this thread, alternating
    calls; bounded. Asserts both succeed."""
    last = [None, None]
    for _ in range(max_rounds):
        for i, ctx in enumerate((client, server)):
            if last[i] != 0:
                last[i] = st.sectrans_handshake(ctx)
                assert last[i] in (0, WOULD_BLOCK), describe(last[i], ctx)
        if last == [0, 0]:
            return
    raise AssertionError(
        "fd handshake not finished: client %s, server %s"
        % (describe(last[0], client), describe(last[1], server))
    )
