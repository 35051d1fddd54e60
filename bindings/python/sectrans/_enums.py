"""Enumerations with the standard ``ssl`` module's names and numbers, and the
mapping of protocol versions to the library's ``SSLProtocol`` values."""

from __future__ import annotations

import enum

from . import _sectrans as _st

__all__ = [
    "Purpose",
    "VerifyMode",
    "TLSVersion",
    "SSLProtocolMethod",
    "CERT_NONE",
    "CERT_OPTIONAL",
    "CERT_REQUIRED",
    "PROTOCOL_TLS_CLIENT",
    "PROTOCOL_TLS_SERVER",
]


class Purpose(enum.IntEnum):
    """What a default context is for. The numbers are the NIDs of the
    extended key usages that ``ssl.Purpose``'s members carry as ``.nid``."""

    SERVER_AUTH = 129  # a client context, verifying servers
    CLIENT_AUTH = 130  # a server context, verifying clients


class VerifyMode(enum.IntEnum):
    """Whether and how the peer's certificate is verified."""

    CERT_NONE = 0
    CERT_OPTIONAL = 1
    CERT_REQUIRED = 2


class TLSVersion(enum.IntEnum):
    """Protocol versions as the wire numbers ``ssl.TLSVersion`` uses."""

    MINIMUM_SUPPORTED = -2
    MAXIMUM_SUPPORTED = -1
    SSLv3 = 0x0300
    TLSv1 = 0x0301
    TLSv1_1 = 0x0302
    TLSv1_2 = 0x0303
    TLSv1_3 = 0x0304


class SSLProtocolMethod(enum.IntEnum):
    """The two protocol choices sectrans has (``ssl._SSLMethod``'s numbers)."""

    PROTOCOL_TLS_CLIENT = 16
    PROTOCOL_TLS_SERVER = 17


CERT_NONE = VerifyMode.CERT_NONE
CERT_OPTIONAL = VerifyMode.CERT_OPTIONAL
CERT_REQUIRED = VerifyMode.CERT_REQUIRED
PROTOCOL_TLS_CLIENT = SSLProtocolMethod.PROTOCOL_TLS_CLIENT
PROTOCOL_TLS_SERVER = SSLProtocolMethod.PROTOCOL_TLS_SERVER

# TLSVersion -> the library's SSLProtocol value. Versions below TLS 1.2 are
# refused: sectrans never negotiates them.
_TO_PROTOCOL = {
    TLSVersion.MINIMUM_SUPPORTED: _st.SECTRANS_PROTOCOL_TLS12,
    TLSVersion.TLSv1_2: _st.SECTRANS_PROTOCOL_TLS12,
    TLSVersion.TLSv1_3: _st.SECTRANS_PROTOCOL_TLS13,
    TLSVersion.MAXIMUM_SUPPORTED: _st.SECTRANS_PROTOCOL_TLS13,
}
_FROM_PROTOCOL = {
    _st.SECTRANS_PROTOCOL_TLS12: TLSVersion.TLSv1_2,
    _st.SECTRANS_PROTOCOL_TLS13: TLSVersion.TLSv1_3,
}


def to_protocol(version: int) -> int:
    """The SSLProtocol value for a TLSVersion; ValueError for old versions."""
    try:
        return int(_TO_PROTOCOL[TLSVersion(version)])
    except (KeyError, ValueError):
        raise ValueError(
            "unsupported protocol version %r: sectrans speaks TLS 1.2 and TLS 1.3 only" % (version,)
        ) from None


def from_protocol(protocol: int) -> TLSVersion:
    """The TLSVersion for an SSLProtocol value."""
    return _FROM_PROTOCOL[protocol]
