"""Secure Transport's own names, for code ported from Apple's API.

``Session`` is one TLS session with the lifecycle Secure Transport users
know (``SSLCreateContext``, ``SSLHandshake``, ``SSLRead``, ``SSLWrite``,
``SSLClose``, ``SSLSetSessionOption``, ``SSLCopyPeerTrust``): statuses are
returned, not raised, for the conditions Secure Transport reports as
statuses (would-block and the break points); fatal ones raise ``SSLError``
with ``.status``. The transport is a socket (``set_fd``) or memory
(``feed_input`` / ``take_output``); the I/O callbacks of the C API are not
offered to Python.

    s = Session(CLIENT)
    s.set_peer_domain_name("localhost")
    s.set_session_option(BREAK_ON_SERVER_AUTH, True)
    s.set_fd(sock.fileno())
    while (status := s.handshake()) == PEER_AUTH_COMPLETED:
        trust = s.copy_peer_trust()
        if trust.evaluate() != 0: ...      # decide, or s.accept_peer_trust()
"""

from __future__ import annotations

from typing import Any, List, Optional, Tuple

from . import _sectrans as _st
from ._errors import check, error_for
from ._trust import chain_der, store_of_pems

__all__ = [
    "Session",
    "Trust",
    "SERVER",
    "CLIENT",
    "WOULD_BLOCK",
    "PEER_AUTH_COMPLETED",
    "CLIENT_CERT_REQUESTED",
    "CLIENT_HELLO_RECEIVED",
    "CLOSED_GRACEFUL",
    "BREAK_ON_SERVER_AUTH",
    "BREAK_ON_CERT_REQUESTED",
    "BREAK_ON_CLIENT_AUTH",
    "BREAK_ON_CLIENT_HELLO",
    "ENABLE_SESSION_TICKETS",
]

SERVER = _st.SECTRANS_SERVER
CLIENT = _st.SECTRANS_CLIENT
WOULD_BLOCK = _st.SECTRANS_WOULD_BLOCK
PEER_AUTH_COMPLETED = _st.SECTRANS_PEER_AUTH_COMPLETED
CLIENT_CERT_REQUESTED = _st.SECTRANS_CLIENT_CERT_REQUESTED
CLIENT_HELLO_RECEIVED = _st.SECTRANS_CLIENT_HELLO_RECEIVED
CLOSED_GRACEFUL = _st.SECTRANS_CLOSED_GRACEFUL
BREAK_ON_SERVER_AUTH = _st.SECTRANS_OPTION_BREAK_ON_SERVER_AUTH
BREAK_ON_CERT_REQUESTED = _st.SECTRANS_OPTION_BREAK_ON_CERT_REQUESTED
BREAK_ON_CLIENT_AUTH = _st.SECTRANS_OPTION_BREAK_ON_CLIENT_AUTH
BREAK_ON_CLIENT_HELLO = _st.SECTRANS_OPTION_BREAK_ON_CLIENT_HELLO
ENABLE_SESSION_TICKETS = _st.SECTRANS_OPTION_ENABLE_SESSION_TICKETS

# Statuses a call returns instead of raising (Secure Transport's non-fatal
# ones, and the end of the stream for read()).
_RETURNED = frozenset(
    (0, WOULD_BLOCK, PEER_AUTH_COMPLETED, CLIENT_CERT_REQUESTED, CLIENT_HELLO_RECEIVED)
)


class Trust:
    """SecTrust: the peer's chain, the policy, and the evaluation."""

    def __init__(self, handle: Any) -> None:
        self._handle = handle

    def certificates(self) -> List[bytes]:
        """The chain as sent, leaf first, as DER."""
        return chain_der(self._handle)

    def set_anchors_pem(self, pem: bytes) -> None:
        """Verifies against these PEM anchors instead."""
        check(_st.sectrans_trust_set_anchors(self._handle, store_of_pems([pem])))

    def set_policy(self, peer_is_server: bool, host: Optional[str]) -> None:
        """SecPolicyCreateSSL: the purpose and the host name to check."""
        check(_st.sectrans_trust_set_policy(self._handle, int(peer_is_server), host))

    def evaluate(self) -> int:
        """Verifies; returns 0 when trusted, else the failure status."""
        status, result = _st.sectrans_trust_evaluate(self._handle)
        check(status)
        return int(result)

    @property
    def result(self) -> int:
        """The last evaluation's status (-909: never evaluated)."""
        return int(_st.sectrans_trust_get_result(self._handle)[1])

    @property
    def detail(self) -> str:
        """Text of the evaluation's outcome."""
        return (_st.sectrans_trust_copy_detail(self._handle)[1] or b"").decode()


class Session:
    """One TLS session with Secure Transport's lifecycle (SSLContextRef)."""

    def __init__(self, side: int) -> None:
        status, self._handle = _st.sectrans_context_create(side, _st.SECTRANS_STREAM)
        check(status)

    def _result(self, status: int) -> int:
        if status in _RETURNED:
            return status
        raise error_for(status, self._handle)

    # settings
    def set_peer_domain_name(self, name: Optional[str]) -> None:
        """SSLSetPeerDomainName: SNI and the name verified."""
        check(_st.sectrans_set_peer_domain_name(self._handle, name), self._handle)

    def set_certificate(
        self, cert_pem: bytes, key_pem: Optional[bytes] = None, password: Optional[str] = None
    ) -> None:
        """SSLSetCertificate, from PEM (key_pem None: the key is in cert_pem)."""
        status, identity = _st.sectrans_identity_create_from_pem(cert_pem, key_pem, password)
        check(status)
        check(_st.sectrans_set_identity(self._handle, identity), self._handle)

    def set_anchors_pem(self, pem: bytes) -> None:
        """The anchors to verify the peer against (default: the system's)."""
        check(_st.sectrans_set_trust_store(self._handle, store_of_pems([pem])), self._handle)

    def set_session_option(self, option: int, value: bool) -> None:
        """SSLSetSessionOption (the break points, tickets, false start)."""
        check(_st.sectrans_set_session_option(self._handle, option, int(value)), self._handle)

    def get_session_option(self, option: int) -> bool:
        """SSLGetSessionOption."""
        status, value = _st.sectrans_get_session_option(self._handle, option)
        check(status, self._handle)
        return bool(value)

    def set_protocol_version_min(self, protocol: int) -> None:
        """SSLSetProtocolVersionMin (SSLProtocol values)."""
        check(_st.sectrans_set_protocol_version_min(self._handle, protocol), self._handle)

    def set_protocol_version_max(self, protocol: int) -> None:
        """SSLSetProtocolVersionMax (SSLProtocol values)."""
        check(_st.sectrans_set_protocol_version_max(self._handle, protocol), self._handle)

    # transports
    def set_fd(self, fd: int) -> None:
        """Uses a connected socket (blocking or not) as the transport."""
        check(_st.sectrans_set_fd(self._handle, fd), self._handle)

    def feed_input(self, data: bytes) -> None:
        """Memory transport: ciphertext that arrived."""
        check(_st.sectrans_feed_input(self._handle, data), self._handle)

    def take_output(self) -> bytes:
        """Memory transport: all ciphertext waiting to be sent."""
        pending = _st.sectrans_output_pending(self._handle)[1] or 0
        buf = bytearray(pending)
        status, n = _st.sectrans_take_output(self._handle, buf)
        check(status, self._handle)
        return bytes(buf[:n])

    def wants(self) -> int:
        """After WOULD_BLOCK: bit 1 read, bit 2 write."""
        return int(_st.sectrans_wants(self._handle))

    # the session
    def handshake(self) -> int:
        """SSLHandshake: 0, WOULD_BLOCK or a break point; raises otherwise."""
        return self._result(_st.sectrans_handshake(self._handle))

    def write(self, data: bytes) -> Tuple[int, int]:
        """SSLWrite: (status, processed); processed bytes are never offered
        again, even with WOULD_BLOCK."""
        status, processed = _st.sectrans_write(self._handle, data)
        return self._result(status), processed

    def read(self, size: int) -> Tuple[int, bytes]:
        """SSLRead: (status, data); CLOSED_GRACEFUL at close_notify."""
        buf = bytearray(size)
        status, n = _st.sectrans_read(self._handle, buf)
        if status != CLOSED_GRACEFUL:
            status = self._result(status)
        return status, bytes(buf[:n])

    def close(self) -> int:
        """SSLClose: sends close_notify (WOULD_BLOCK: call again)."""
        return self._result(_st.sectrans_close(self._handle))

    def copy_peer_trust(self) -> Optional[Trust]:
        """SSLCopyPeerTrust: None before the peer sent a certificate."""
        status, trust = _st.sectrans_copy_peer_trust(self._handle)
        check(status, self._handle)
        return Trust(trust) if trust is not None else None

    def accept_peer_trust(self) -> None:
        """After PEER_AUTH_COMPLETED: go on with a trust not evaluated
        successfully (the caller decided to accept it)."""
        check(_st.sectrans_accept_peer_trust(self._handle), self._handle)

    def get_requested_peer_name(self) -> Optional[str]:
        """Server: the SNI name the client sent (from CLIENT_HELLO_RECEIVED)."""
        status, name = _st.sectrans_get_requested_peer_name(self._handle)
        return name.decode() if status == 0 else None

    def get_negotiated_protocol_version(self) -> int:
        """SSLGetNegotiatedProtocolVersion (SSLProtocol value)."""
        return int(_st.sectrans_get_negotiated_protocol_version(self._handle)[1] or 0)

    def get_negotiated_cipher(self) -> int:
        """SSLGetNegotiatedCipher (IANA number)."""
        status, suite = _st.sectrans_get_negotiated_cipher(self._handle)
        check(status, self._handle)
        return int(suite)

    def get_session_state(self) -> int:
        """SSLGetSessionState."""
        return int(_st.sectrans_get_session_state(self._handle)[1])
