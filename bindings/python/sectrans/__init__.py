"""sectrans: Secure Transport's TLS session model over BoringSSL, with an API
shaped like the standard ``ssl`` module.

    import socket, sectrans
    ctx = sectrans.create_default_context()
    with socket.create_connection(("example.com", 443)) as raw:
        with ctx.wrap_socket(raw, server_hostname="example.com") as tls:
            print(tls.version())

What is here: ``create_default_context``, ``SSLContext`` (``wrap_socket``,
``wrap_bio``), ``SSLSocket``, ``SSLObject`` over ``MemoryBIO`` (sans-I/O),
the enums ``Purpose``, ``VerifyMode``, ``TLSVersion``, and an exception tree
mirroring ssl's. ``sectrans.asyncio`` has asyncio streams;
``sectrans.transport`` keeps Secure Transport's own names; the SWIG module
``sectrans._sectrans`` is the C API one to one (bindings/python/LOWLEVEL.md).
Only stream (TCP) connections are offered.

Importing the package checks that the loaded libsectrans can serve the header
the module was built with, and that BoringSSL could be loaded; either failure
raises ImportError with the reason.
"""

from . import _sectrans

_status = _sectrans.sectrans_check_version(
    _sectrans.SECTRANS_VERSION_MAJOR, _sectrans.SECTRANS_VERSION_MINOR
)
if _status != _sectrans.SECTRANS_SUCCESS:
    _v = _sectrans.sectrans_version()
    raise ImportError(
        "sectrans: the loaded libsectrans is version %d.%d.%d, which cannot serve "
        "this module (built against header %d.%d): %s"
        % (
            _v // 10000,
            _v // 100 % 100,
            _v % 100,
            _sectrans.SECTRANS_VERSION_MAJOR,
            _sectrans.SECTRANS_VERSION_MINOR,
            _sectrans.sectrans_status_string(_status),
        )
    )

_load_error = _sectrans.sectrans_load_error()
if _load_error is not None:
    raise ImportError(
        "sectrans: BoringSSL could not be loaded: %s "
        "(the environment variable SECTRANS_BORINGSSL_DIR may name "
        "the directory holding libssl.so.0 and libcrypto.so.0)" % _load_error
    )

del _status, _load_error

from ._connection import CHANNEL_BINDING_TYPES  # noqa: E402
from ._context import SSLContext, SSLSession, create_default_context  # noqa: E402
from ._enums import (  # noqa: E402
    CERT_NONE,
    CERT_OPTIONAL,
    CERT_REQUIRED,
    PROTOCOL_TLS_CLIENT,
    PROTOCOL_TLS_SERVER,
    Purpose,
    TLSVersion,
    VerifyMode,
)
from ._errors import (  # noqa: E402
    CertificateError,
    SSLCertVerificationError,
    SSLEOFError,
    SSLError,
    SSLSyscallError,
    SSLWantReadError,
    SSLWantWriteError,
    SSLZeroReturnError,
)
from ._sansio import MemoryBIO, SSLObject  # noqa: E402
from ._socket import SSLSocket  # noqa: E402

__version__ = "%d.%d.%d" % (
    _sectrans.SECTRANS_VERSION_MAJOR,
    _sectrans.SECTRANS_VERSION_MINOR,
    _sectrans.SECTRANS_VERSION_PATCH,
)
HAS_ALPN = True
HAS_SNI = True
HAS_TLSv1_2 = True
HAS_TLSv1_3 = True
OPENSSL_VERSION = "sectrans %s (BoringSSL)" % __version__

__all__ = [
    "SSLContext",
    "SSLSession",
    "create_default_context",
    "SSLSocket",
    "SSLObject",
    "MemoryBIO",
    "Purpose",
    "VerifyMode",
    "TLSVersion",
    "CERT_NONE",
    "CERT_OPTIONAL",
    "CERT_REQUIRED",
    "PROTOCOL_TLS_CLIENT",
    "PROTOCOL_TLS_SERVER",
    "SSLError",
    "SSLWantReadError",
    "SSLWantWriteError",
    "SSLZeroReturnError",
    "SSLEOFError",
    "SSLSyscallError",
    "SSLCertVerificationError",
    "CertificateError",
    "HAS_ALPN",
    "HAS_SNI",
    "HAS_TLSv1_2",
    "HAS_TLSv1_3",
    "CHANNEL_BINDING_TYPES",
    "OPENSSL_VERSION",
    "__version__",
]
