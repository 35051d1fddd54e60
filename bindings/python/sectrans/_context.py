"""``SSLContext`` and ``create_default_context``: the shareable settings.

An SSLContext keeps its settings in Python and builds one library config per
side from them the first time a connection needs it (parsing keys and
anchors once, not per connection); any later change of a setting drops the
built config, so the next connection gets a fresh one.
"""

from __future__ import annotations

import os
import socket
import sys
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, Tuple, Union

from . import _certdict, _ciphers, _enums, _keylog
from . import _sectrans as _st
from ._enums import Purpose, TLSVersion, VerifyMode
from ._errors import SSLError, check
from ._trust import store_of_anchors

if TYPE_CHECKING:
    from ._connection import TLSConnection
    from ._sansio import MemoryBIO, SSLObject
    from ._socket import SSLSocket

__all__ = ["SSLContext", "SSLSession", "create_default_context"]

StrOrBytesPath = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
PasswordType = Union[str, bytes, Callable[[], Union[str, bytes]]]
SNICallback = Callable[["TLSConnection", Optional[str], "SSLContext"], Optional[int]]

_CLIENT_VERIFY = {VerifyMode.CERT_NONE: _st.SECTRANS_VERIFY_NONE}
_SERVER_AUTH = {
    VerifyMode.CERT_NONE: _st.SECTRANS_AUTHENTICATE_NEVER,
    VerifyMode.CERT_OPTIONAL: _st.SECTRANS_AUTHENTICATE_TRY,
    VerifyMode.CERT_REQUIRED: _st.SECTRANS_AUTHENTICATE_ALWAYS,
}


class SSLSession:
    """A client session that a later connection can resume
    (``wrap_socket(..., session=s)``). It names an entry of the library's
    process-wide session cache; TLS 1.3 tickets resume once."""

    def __init__(self, peer_id: bytes) -> None:
        self.id = peer_id

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SSLSession) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        return "<sectrans.SSLSession %s>" % self.id.hex()


def _read_file(path: StrOrBytesPath) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _password_value(password: Optional[PasswordType]) -> Union[str, bytes, None]:
    if callable(password):
        password = password()
    if password is not None and not isinstance(password, (str, bytes)):
        raise TypeError("password should be a string or bytes")
    return password


def _anchors_of_cadata(cadata: Union[str, bytes]) -> List[Tuple[str, bytes]]:
    """The anchors of cadata: PEM as str, or DER bytes (one or more
    concatenated certificates), as ssl accepts."""
    if isinstance(cadata, str):
        return [("pem", cadata.encode("ascii"))]
    out, data = [], bytes(cadata)
    while data:
        size = _certdict.element_size(data)
        out.append(("der", data[:size]))
        data = data[size:]
    return out


def _encode_alpn(protocols: Iterable[Union[str, bytes]]) -> bytes:
    """The ALPN wire list (length-prefixed names) of str or bytes names."""
    out = bytearray()
    for name in protocols:
        if isinstance(name, str):
            raw = name.encode("ascii")
        elif isinstance(name, (bytes, bytearray)):
            raw = bytes(name)
        else:
            raise TypeError("ALPN protocols must be str or bytes, not %s" % type(name).__name__)
        if not 0 < len(raw) < 256:
            raise ValueError("ALPN protocols must be 1 to 255 bytes long")
        out.append(len(raw))
        out += raw
    return bytes(out)


class SSLContext:
    """Settings shared by many TLS connections, shaped like ``ssl.SSLContext``.

    ``SSLContext(PROTOCOL_TLS_CLIENT)`` (the default) verifies the server's
    chain and host name; ``SSLContext(PROTOCOL_TLS_SERVER)`` does not ask
    for client certificates. Without ``load_verify_locations`` or
    ``load_default_certs`` the system anchors are used."""

    def __init__(self, protocol: int = _enums.PROTOCOL_TLS_CLIENT) -> None:
        self._protocol = _enums.SSLProtocolMethod(protocol)
        client = self._protocol == _enums.PROTOCOL_TLS_CLIENT
        self._verify_mode = VerifyMode.CERT_REQUIRED if client else VerifyMode.CERT_NONE
        self._check_hostname = client
        self._minimum_version = TLSVersion.MINIMUM_SUPPORTED
        self._maximum_version = TLSVersion.MAXIMUM_SUPPORTED
        self._identity: Any = None
        # (kind, value) pairs for _trust.store_of_anchors: read again for
        # each config built, as OpenSSL reads a capath at lookup time.
        self._anchors: List[Tuple[str, Any]] = []
        self._anchor_system = False
        self._alpn: Optional[bytes] = None
        self._ciphers: Optional[List[int]] = None
        self._sni_callback: Optional[SNICallback] = None
        self._keylog_filename: Optional[str] = None
        self._configs: Dict[int, Any] = {}

    def _changed(self) -> None:
        self._configs = {}

    # -- settings ----------------------------------------------------------

    @property
    def protocol(self) -> _enums.SSLProtocolMethod:
        """PROTOCOL_TLS_CLIENT or PROTOCOL_TLS_SERVER."""
        return self._protocol

    @property
    def verify_mode(self) -> VerifyMode:
        """CERT_NONE, CERT_OPTIONAL or CERT_REQUIRED (a client treats
        OPTIONAL as REQUIRED, as ssl's clients do)."""
        return self._verify_mode

    @verify_mode.setter
    def verify_mode(self, value: int) -> None:
        mode = VerifyMode(value)
        if mode == VerifyMode.CERT_NONE and self._check_hostname:
            raise ValueError("Cannot set verify_mode to CERT_NONE when check_hostname is enabled.")
        self._verify_mode = mode
        self._changed()

    @property
    def check_hostname(self) -> bool:
        """Whether a client checks server_hostname against the certificate.
        Turning it on sets verify_mode to CERT_REQUIRED."""
        return self._check_hostname

    @check_hostname.setter
    def check_hostname(self, value: bool) -> None:
        self._check_hostname = bool(value)
        if self._check_hostname and self._verify_mode == VerifyMode.CERT_NONE:
            self._verify_mode = VerifyMode.CERT_REQUIRED
        self._changed()

    @property
    def minimum_version(self) -> TLSVersion:
        """The lowest protocol version (TLS 1.2 at least)."""
        return self._minimum_version

    @minimum_version.setter
    def minimum_version(self, value: int) -> None:
        _enums.to_protocol(value)
        self._minimum_version = TLSVersion(value)
        self._changed()

    @property
    def maximum_version(self) -> TLSVersion:
        """The highest protocol version."""
        return self._maximum_version

    @maximum_version.setter
    def maximum_version(self, value: int) -> None:
        _enums.to_protocol(value)
        self._maximum_version = TLSVersion(value)
        self._changed()

    @property
    def sni_callback(self) -> Optional[SNICallback]:
        """Server: called as ``callback(conn, server_name, context)`` once the
        ClientHello arrived (the library's BreakOnClientHello); it may set
        ``conn.context`` to another context whose certificate is then used.
        Returning an int fails the handshake; an exception it raises fails
        the handshake and is re-raised to the caller."""
        return self._sni_callback

    @sni_callback.setter
    def sni_callback(self, callback: Optional[SNICallback]) -> None:
        if callback is not None and not callable(callback):
            raise TypeError("not a callable object")
        self._sni_callback = callback
        self._changed()

    @property
    def keylog_filename(self) -> Optional[str]:
        """A file that receives the session keys in the NSS key log format
        (anyone reading it can decrypt the traffic)."""
        return self._keylog_filename

    @keylog_filename.setter
    def keylog_filename(self, path: Optional[str]) -> None:
        if path is not None:
            _keylog.open_keylog(path)  # fail now, as ssl does, if unwritable
        self._keylog_filename = path

    def load_cert_chain(
        self,
        certfile: StrOrBytesPath,
        keyfile: Optional[StrOrBytesPath] = None,
        password: Optional[PasswordType] = None,
    ) -> None:
        """The certificate chain (leaf first) and private key to present;
        keyfile may be omitted when certfile holds the key too."""
        cert_pem = _read_file(certfile)
        key_pem = _read_file(keyfile) if keyfile is not None else None
        status, identity = _st.sectrans_identity_create_from_pem(
            cert_pem, key_pem, _password_value(password)
        )
        check(status)
        self._identity = identity
        self._changed()

    def load_verify_locations(
        self,
        cafile: Optional[StrOrBytesPath] = None,
        capath: Optional[StrOrBytesPath] = None,
        cadata: Union[str, bytes, None] = None,
    ) -> None:
        """Adds trust anchors: a PEM file, a CA directory (the library's
        rule: files named like OpenSSL's hashed names, *.pem or *.crt), or
        PEM text / DER bytes."""
        if cafile is None and capath is None and cadata is None:
            raise TypeError("cafile, capath and cadata cannot be all omitted")
        anchors: List[Tuple[str, Any]] = []
        if cafile is not None:
            anchors.append(("pem", _read_file(cafile)))
        if capath is not None:
            anchors.append(("dir", os.fsdecode(capath)))
        if cadata is not None:
            anchors += _anchors_of_cadata(cadata)
        store_of_anchors(anchors)  # parse now, so a bad file fails here
        self._anchors += anchors
        self._changed()

    def load_default_certs(self, purpose: Purpose = Purpose.SERVER_AUTH) -> None:
        """Adds the system's anchors (SSL_CERT_FILE / SSL_CERT_DIR when set,
        else the distribution bundle)."""
        self._anchor_system = True
        self._changed()

    def set_default_verify_paths(self) -> None:
        """Same as load_default_certs()."""
        self.load_default_certs()

    def set_alpn_protocols(self, protocols: Iterable[Union[str, bytes]]) -> None:
        """The ALPN protocols to offer (client) or accept (server), in
        preference order."""
        self._alpn = _encode_alpn(protocols)
        self._changed()

    def set_ciphers(self, ciphers: str) -> None:
        """Restricts TLS 1.2 suites to the named ones (OpenSSL names such as
        'ECDHE-ECDSA-AES128-GCM-SHA256' or IANA names, ':'-separated).
        TLS 1.3 suites stay on, as with ssl."""
        suites = _ciphers.parse_cipher_string(ciphers)
        if not suites:
            raise SSLError(
                _st.SECTRANS_ERR_BAD_CIPHER_SUITE, "No cipher can be selected: %r" % ciphers
            )
        self.set_cipher_suites(suites)

    def set_cipher_suites(self, suites: Iterable[int]) -> None:
        """Like set_ciphers, with IANA numbers (0xC02B, ...)."""
        self._ciphers = list(suites)
        self._changed()
        self._config(_st.SECTRANS_CLIENT)  # refuses an empty/unsupported set

    def get_ciphers(self) -> List[Dict[str, Any]]:
        """The enabled suites: dicts with 'id', 'name' (OpenSSL's),
        'iana_name' and 'protocol'."""
        status, ctx = _st.sectrans_context_create_with_config(self._config(_st.SECTRANS_CLIENT))
        check(status)
        status, suites = _st.sectrans_get_enabled_ciphers(ctx)
        check(status, ctx)
        return [
            {
                "id": s,
                "name": _ciphers.OPENSSL_NAMES.get(s, _st.sectrans_cipher_name(s)),
                "iana_name": _st.sectrans_cipher_name(s),
                "protocol": "TLSv1.3" if s >> 8 == 0x13 else "TLSv1.2",
            }
            for s in suites
        ]

    # -- configs and connections -------------------------------------------

    def _trust_store(self) -> Any:
        if not self._anchors:
            return None  # the library's default: the system anchors
        store = store_of_anchors(self._anchors)
        if self._anchor_system:
            check(_st.sectrans_trust_store_add_system(store))
        return store

    def _config(self, side: int) -> Any:
        """The library config for one side, built on first use."""
        config = self._configs.get(side)
        if config is not None:
            return config
        status, config = _st.sectrans_config_create(side)
        check(status)
        check(
            _st.sectrans_config_set_protocol_version_min(
                config, _enums.to_protocol(self._minimum_version)
            )
        )
        check(
            _st.sectrans_config_set_protocol_version_max(
                config, _enums.to_protocol(self._maximum_version)
            )
        )
        if self._identity is not None:
            check(_st.sectrans_config_set_identity(config, self._identity))
        store = self._trust_store()
        if store is not None:
            check(_st.sectrans_config_set_trust_store(config, store))
        if side == _st.SECTRANS_CLIENT:
            mode = _CLIENT_VERIFY.get(
                self._verify_mode,
                _st.SECTRANS_VERIFY_FULL
                if self._check_hostname
                else _st.SECTRANS_VERIFY_CHAIN_ONLY,
            )
            check(_st.sectrans_config_set_verify_mode(config, mode))
            check(
                _st.sectrans_config_set_session_option(
                    config, _st.SECTRANS_OPTION_ENABLE_SESSION_TICKETS, 1
                )
            )
        else:
            check(
                _st.sectrans_config_set_client_side_authenticate(
                    config, _SERVER_AUTH[self._verify_mode]
                )
            )
            if self._sni_callback is not None:
                check(
                    _st.sectrans_config_set_session_option(
                        config, _st.SECTRANS_OPTION_BREAK_ON_CLIENT_HELLO, 1
                    )
                )
        if self._alpn is not None:
            check(_st.sectrans_config_set_alpn(config, self._alpn))
        if self._ciphers is not None:
            status = _st.sectrans_config_set_enabled_ciphers(config, self._ciphers)
            if status != 0:
                raise SSLError(
                    _st.SECTRANS_ERR_BAD_CIPHER_SUITE,
                    "No cipher can be selected: %r" % (self._ciphers,),
                )
        self._configs[side] = config
        return config

    def _new_handle(
        self, server_side: bool, server_hostname: Optional[str], session: Optional[SSLSession]
    ) -> Any:
        """A library context for one connection, configured for its peer."""
        self._validate_peer(server_side, server_hostname, session)
        side = _st.SECTRANS_SERVER if server_side else _st.SECTRANS_CLIENT
        status, handle = _st.sectrans_context_create_with_config(self._config(side))
        check(status)
        if not server_side:
            if server_hostname:
                check(_st.sectrans_set_peer_domain_name(handle, server_hostname), handle)
            peer_id = session.id if session is not None else os.urandom(16)
            check(_st.sectrans_set_peer_id(handle, peer_id), handle)
        return handle

    def _validate_peer(
        self, server_side: bool, server_hostname: Optional[str], session: Optional[SSLSession]
    ) -> None:
        """ValueError for wrap arguments ssl refuses too."""
        if server_side and server_hostname is not None:
            raise ValueError("server_hostname can only be specified in client mode")
        if server_side and session is not None:
            raise ValueError("session can only be specified in client mode")
        if not server_side and self._check_hostname and not server_hostname:
            raise ValueError("check_hostname requires server_hostname")

    def _keylog_sink(self) -> Optional[_keylog.KeylogSink]:
        if self._keylog_filename is None:
            return None
        return _keylog.KeylogSink(_keylog.open_keylog(self._keylog_filename))

    def wrap_socket(
        self,
        sock: socket.socket,
        server_side: bool = False,
        do_handshake_on_connect: bool = True,
        suppress_ragged_eofs: bool = True,
        server_hostname: Optional[str] = None,
        session: Optional[SSLSession] = None,
    ) -> "SSLSocket":
        """Wraps a connected (or to-be-connected, or listening) TCP socket;
        the original socket object is detached and must not be used."""
        from ._socket import SSLSocket

        return SSLSocket._create(
            self,
            sock,
            server_side,
            do_handshake_on_connect,
            suppress_ragged_eofs,
            server_hostname,
            session,
        )

    def wrap_bio(
        self,
        incoming: "MemoryBIO",
        outgoing: "MemoryBIO",
        server_side: bool = False,
        server_hostname: Optional[str] = None,
        session: Optional[SSLSession] = None,
    ) -> "SSLObject":
        """A sans-I/O connection reading ciphertext from incoming and
        writing ciphertext to outgoing."""
        from ._sansio import SSLObject

        return SSLObject._create(self, incoming, outgoing, server_side, server_hostname, session)


def create_default_context(
    purpose: Purpose = Purpose.SERVER_AUTH,
    *,
    cafile: Optional[StrOrBytesPath] = None,
    capath: Optional[StrOrBytesPath] = None,
    cadata: Union[str, bytes, None] = None,
) -> SSLContext:
    """A context with secure defaults: for SERVER_AUTH a client verifying
    the server's chain and host name, for CLIENT_AUTH a server. Anchors are
    cafile/capath/cadata when given, else the system's. Honours
    SSLKEYLOGFILE as ssl does."""
    if not isinstance(purpose, Purpose):
        raise TypeError(purpose)
    context = SSLContext(
        _enums.PROTOCOL_TLS_CLIENT if purpose == Purpose.SERVER_AUTH else _enums.PROTOCOL_TLS_SERVER
    )
    if cafile is not None or capath is not None or cadata is not None:
        context.load_verify_locations(cafile, capath, cadata)
    elif context.verify_mode != VerifyMode.CERT_NONE:
        context.load_default_certs(purpose)
    keylog = os.environ.get("SSLKEYLOGFILE")
    if keylog and not sys.flags.ignore_environment:
        context.keylog_filename = keylog
    return context
