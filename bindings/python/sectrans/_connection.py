"""What ``SSLSocket`` and ``SSLObject`` share: one library context, the
handshake step (with the SNI callback at BreakOnClientHello), and the
``ssl``-shaped inspection methods."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Literal, Optional, Tuple, Union, overload

from . import _certdict, _ciphers
from . import _sectrans as _st
from ._errors import SSLError, error_for
from ._trust import chain_der

if TYPE_CHECKING:
    from typing_extensions import Buffer  # noqa: F401  (re-exported for typing)

    from ._context import SSLContext, SSLSession
    from ._keylog import KeylogSink

_WOULD_BLOCK = _st.SECTRANS_WOULD_BLOCK
PeerCert = Dict[str, Any]
# get_channel_binding's types (ssl.CHANNEL_BINDING_TYPES has tls-unique only).
CHANNEL_BINDING_TYPES = ["tls-unique", "tls-exporter"]
# RFC 9266: the tls-exporter channel binding's label and length.
_TLS_EXPORTER_LABEL = b"EXPORTER-Channel-Binding"
_TLS_EXPORTER_LENGTH = 32


class TLSConnection:
    """The base of SSLSocket and SSLObject (not created directly)."""

    _handle: Any
    _context: "SSLContext"
    _keylog: Optional["KeylogSink"]
    server_side: bool
    server_hostname: Optional[str]

    def _init_tls(
        self,
        context: "SSLContext",
        server_side: bool,
        server_hostname: Optional[str],
        session: Optional["SSLSession"],
    ) -> None:
        self._context = context
        self.server_side = server_side
        self.server_hostname = server_hostname
        self._handshake_done = False
        self._handle = context._new_handle(server_side, server_hostname, session)
        self._keylog = context._keylog_sink()
        if self._keylog is not None:
            _st.sectrans_py_set_keylog(self._handle, self._keylog)

    def _release_tls(self) -> None:
        """Frees the library context (nothing is sent)."""
        handle, self._handle = getattr(self, "_handle", None), None
        del handle

    def _status(self, status: int) -> int:
        """Passes 0 and would-block through; raises for anything else (and
        re-raises a key log failure first)."""
        if self._keylog is not None:
            self._keylog.raise_error()
        if status != 0 and status != _WOULD_BLOCK:
            raise error_for(status, self._handle)
        return status

    def _shutdown_write(self) -> int:
        """Sends close_notify; 0 also when the session already closed (the
        library answered the peer's close_notify), else the status."""
        handle = self._live_handle()
        status = _st.sectrans_shutdown_write(handle)
        if (
            status in (_st.SECTRANS_CLOSED_GRACEFUL, _st.SECTRANS_ERR_BAD_REQ)
            and _st.sectrans_get_session_state(handle)[1] == _st.SECTRANS_STATE_CLOSED
        ):
            return 0
        return self._status(status)

    def _live_handle(self) -> Any:
        if self._handle is None:
            raise ValueError("the TLS connection is closed")
        return self._handle

    def _handshake_step(self) -> int:
        """One handshake call: 0 when done, would-block to retry later."""
        handle = self._live_handle()
        status = _st.sectrans_handshake(handle)
        while status == _st.SECTRANS_CLIENT_HELLO_RECEIVED:
            self._run_sni_callback()
            status = _st.sectrans_handshake(handle)
        status = self._status(status)
        if status == 0:
            self._handshake_done = True
        return status

    def _run_sni_callback(self) -> None:
        callback = self._context.sni_callback
        status, name = _st.sectrans_get_requested_peer_name(self._handle)
        server_name = name.decode("ascii") if status == 0 and name else None
        try:
            alert = callback(self, server_name, self._context) if callback else None
        except BaseException:
            _st.sectrans_set_error(self._handle, _st.SECTRANS_ERR_HANDSHAKE_FAIL)
            raise
        if alert is not None:
            _st.sectrans_set_error(self._handle, _st.SECTRANS_ERR_HANDSHAKE_FAIL)
            raise SSLError(
                _st.SECTRANS_ERR_HANDSHAKE_FAIL,
                "sni_callback refused the connection (%r)" % (alert,),
            )
        identity = self._context._identity
        if identity is not None:
            _st.sectrans_set_identity(self._handle, identity)

    # -- the ssl-shaped inspection methods ---------------------------------

    @property
    def context(self) -> "SSLContext":
        """The SSLContext; an sni_callback may set another one, whose
        certificate the server then presents."""
        return self._context

    @context.setter
    def context(self, context: "SSLContext") -> None:
        self._context = context

    def _peer_trust(self) -> Any:
        if not self._handshake_done:
            raise ValueError("handshake not done yet")
        status, trust = _st.sectrans_copy_peer_trust(self._live_handle())
        return trust if status == 0 else None

    @overload
    def getpeercert(self, binary_form: Literal[False] = ...) -> Optional[PeerCert]: ...

    @overload
    def getpeercert(self, binary_form: Literal[True]) -> Optional[bytes]: ...

    @overload
    def getpeercert(self, binary_form: bool) -> Union[PeerCert, bytes, None]: ...

    def getpeercert(self, binary_form: bool = False) -> Union[PeerCert, bytes, None]:
        """The peer's certificate: a dict in ssl's shape (empty when it was
        not verified), or its DER with binary_form=True; None when the peer
        sent none."""
        trust = self._peer_trust()
        if trust is None:
            return None
        chain = chain_der(trust)
        if not chain:
            return None
        if binary_form:
            return chain[0]
        if _st.sectrans_trust_get_result(trust)[1] != 0:
            return {}
        return _certdict.decode(chain[0])

    def get_unverified_chain(self) -> List[bytes]:
        """The chain the peer sent, leaf first, as DER."""
        trust = self._peer_trust()
        return chain_der(trust) if trust is not None else []

    def get_verified_chain(self) -> List[bytes]:
        """The peer's chain, leaf first, as DER, when it was verified
        (empty otherwise). It lists the certificates the peer sent: the
        library does not report the anchor it ended at."""
        trust = self._peer_trust()
        if trust is None or _st.sectrans_trust_get_result(trust)[1] != 0:
            return []
        return chain_der(trust)

    def selected_alpn_protocol(self) -> Optional[str]:
        """The protocol ALPN chose, or None."""
        if self._handle is None:
            return None
        status, name = _st.sectrans_get_negotiated_alpn(self._handle)
        return name.decode("ascii") if status == 0 and name else None

    def version(self) -> Optional[str]:
        """'TLSv1.2' or 'TLSv1.3' once the handshake is done, else None."""
        if not self._handshake_done or self._handle is None:
            return None
        status, protocol = _st.sectrans_get_negotiated_protocol_version(self._handle)
        return _st.sectrans_protocol_name(protocol) if status == 0 else None

    def cipher(self) -> Optional[Tuple[str, str, int]]:
        """(name, protocol, secret bits) of the negotiated suite, or None."""
        version = self.version()
        if version is None:
            return None
        status, suite = _st.sectrans_get_negotiated_cipher(self._handle)
        return _ciphers.describe(suite, version) if status == 0 else None

    def export_keying_material(
        self, label: Union[str, bytes], length: int, context: Optional[bytes] = None
    ) -> bytes:
        """Keying material exporter (RFC 5705, RFC 8446 section 7.5): length
        bytes derived from the session's secrets, label (str as UTF-8, or
        bytes) and context. context=None exports without a context, which in
        TLS 1.2 differs from context=b"" (in TLS 1.3 the two agree); the peer
        exporting with the same arguments gets the same bytes. (The standard
        ssl module has no exporter; this follows PyOpenSSL's
        Connection.export_keying_material.)

        Raises ValueError before the handshake is done or after the
        connection closed, for a length outside 0..8160, a label over 249
        bytes or a context over 65535 bytes (the message names which), and
        SSLError if the library refuses."""
        if isinstance(label, str):
            label = label.encode("utf-8")
        if isinstance(length, bool) or not isinstance(length, int):
            raise TypeError("length must be an int")
        if length < 0:
            raise ValueError("length must not be negative")
        if self._handle is None or not self._handshake_done:
            raise ValueError("handshake not done yet")
        status, data = _st.sectrans_export_keying_material(
            self._handle, length, label, context, 0 if context is None else 1
        )
        if status in (_st.SECTRANS_ERR_PARAM, _st.SECTRANS_ERR_BAD_REQ):
            raise ValueError(_st.sectrans_context_error_detail(self._handle))
        if status != 0:
            raise error_for(status, self._handle)
        return data

    def get_channel_binding(self, cb_type: str = "tls-unique") -> Optional[bytes]:
        """Channel binding data, as ssl's: "tls-unique" (RFC 5929: the first
        Finished message; TLS 1.2 only) or "tls-exporter" (RFC 9266: 32
        bytes exported with label "EXPORTER-Channel-Binding" and an empty
        context; TLS 1.3 only). None before the handshake is done, after
        the connection closed, or when the protocol version has no such
        binding. ValueError for any other type."""
        if cb_type not in CHANNEL_BINDING_TYPES:
            raise ValueError("{0} channel binding type not implemented".format(cb_type))
        version = self.version()
        if cb_type == "tls-unique":
            if version != "TLSv1.2":
                return None
            status, data = _st.sectrans_get_tls_unique(self._handle)
            return data if status == 0 else None
        if version != "TLSv1.3":
            return None
        status, data = _st.sectrans_export_keying_material(
            self._handle, _TLS_EXPORTER_LENGTH, _TLS_EXPORTER_LABEL, b"", 1
        )
        return data if status == 0 else None

    def shared_ciphers(self) -> Optional[List[Tuple[str, str, int]]]:
        """None: the library does not report the client's offer."""
        return None

    def compression(self) -> None:
        """Always None: TLS compression does not exist here."""
        return None

    @property
    def session(self) -> Optional["SSLSession"]:
        """Client: the session to resume in a later connection."""
        from ._context import SSLSession

        if self.server_side or self._handle is None:
            return None
        status, peer_id = _st.sectrans_get_peer_id(self._handle)
        return SSLSession(peer_id) if status == 0 and peer_id else None

    @property
    def session_reused(self) -> bool:
        """Whether the handshake resumed an earlier session."""
        if self._handle is None:
            return False
        status, resumed = _st.sectrans_get_session_resumed(self._handle)
        return bool(status == 0 and resumed)

    def pending(self) -> int:
        """Decrypted bytes ready to read without I/O."""
        if self._handle is None:
            return 0
        status, size = _st.sectrans_get_buffered_read_size(self._handle)
        return size if status == 0 else 0
