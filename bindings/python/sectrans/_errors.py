"""The exception tree, mirroring the standard ``ssl`` module's.

Every error carries the library's status (``.status``, also ``.errno`` and
``args[0]``, a Secure Transport ``OSStatus`` such as -9843), its Apple name
(``.reason``, for example ``'errSSLHostNameMismatch'``) and a readable
message. The classes derive from ``OSError`` as ``ssl``'s do; they are not
subclasses of ``ssl.SSLError``, so that importing sectrans never loads
OpenSSL into the process.
"""

from __future__ import annotations

from typing import Optional

from . import _sectrans as _st

__all__ = [
    "SSLError",
    "SSLWantReadError",
    "SSLWantWriteError",
    "SSLZeroReturnError",
    "SSLEOFError",
    "SSLSyscallError",
    "SSLCertVerificationError",
    "CertificateError",
]


class SSLError(OSError):
    """A TLS failure: ``status`` is the library's code, ``reason`` its name."""

    status: int
    reason: str
    library: str = "sectrans"

    def __init__(self, status: int, message: Optional[str] = None) -> None:
        reason = _st.sectrans_status_string(status)
        if message is None:
            message = "%s: %s" % (reason, _st.sectrans_status_description(status))
        super().__init__(status, message)
        self.status = status
        self.reason = reason

    def __str__(self) -> str:
        return "[%s] %s" % (self.reason, self.strerror)


class SSLWantReadError(SSLError):
    """Non-blocking: more ciphertext must arrive before the call can finish."""


class SSLWantWriteError(SSLError):
    """Non-blocking: queued ciphertext must leave before the call can finish."""


class SSLZeroReturnError(SSLError):
    """The peer closed the TLS session cleanly (close_notify)."""


class SSLEOFError(SSLError):
    """The transport ended without a close_notify (a truncated stream)."""


class SSLSyscallError(SSLError):
    """The operating system reported an I/O error on the socket."""


class SSLCertVerificationError(SSLError, ValueError):
    """The peer's certificate failed verification.

    ``verify_code`` is the X.509 verification code (as OpenSSL/BoringSSL
    number them, 10 for an expired certificate...) and ``verify_message``
    its text; ``status`` is the specific library code, one of the library's
    certificate category (``sectrans_status_category``): -9843 name
    mismatch, -9814 expired, -9815 not yet valid, -9812 unknown root, -9813
    no root, -9807 other, and -67818 / -67820 (expired / revoked) when a
    break-point handler ended the session with them."""

    verify_code: int
    verify_message: str

    def __init__(
        self,
        status: int,
        message: Optional[str] = None,
        verify_code: int = 0,
        verify_message: str = "",
    ) -> None:
        super().__init__(status, message)
        self.verify_code = verify_code
        self.verify_message = verify_message


CertificateError = SSLCertVerificationError

_CLASSES = {
    _st.SECTRANS_CLOSED_GRACEFUL: SSLZeroReturnError,
    _st.SECTRANS_CLOSED_ABORT: SSLEOFError,
    _st.SECTRANS_CLOSED_NO_NOTIFY: SSLEOFError,
    _st.SECTRANS_ERR_IO: SSLSyscallError,
}


def _message(status: int, detail: str) -> str:
    text = _st.sectrans_status_description(status)
    return "%s (%s)" % (text, detail) if detail else text


def _trust_detail(handle: object) -> "tuple[int, str]":
    """(verify code, verify text) of the context's peer trust, or (0, '')."""
    status, trust = _st.sectrans_copy_peer_trust(handle)
    if status != 0 or trust is None:
        return 0, ""
    code = _st.sectrans_trust_get_verify_code(trust)[1] or 0
    detail = _st.sectrans_trust_copy_detail(trust)[1] or b""
    return code, detail.decode("utf-8", "replace")


def error_for(status: int, handle: object = None) -> SSLError:
    """The exception for a failed call on the context ``handle`` (may be
    None for calls that have no context)."""
    detail = _st.sectrans_context_error_detail(handle) if handle is not None else ""
    if _st.sectrans_status_category(status) == _st.SECTRANS_CATEGORY_CERTIFICATE:
        code, text = _trust_detail(handle) if handle is not None else (0, "")
        return SSLCertVerificationError(
            status,
            "certificate verify failed: " + _message(status, text or detail),
            code,
            text or _st.sectrans_status_description(status),
        )
    if status == _st.SECTRANS_WOULD_BLOCK:
        wants = _st.sectrans_wants(handle) if handle is not None else 0
        cls = SSLWantWriteError if wants & _st.SECTRANS_WANT_WRITE else SSLWantReadError
        return cls(status)
    return _CLASSES.get(status, SSLError)(status, _message(status, detail))


def check(status: int, handle: object = None) -> None:
    """Raises the matching exception unless status is 0."""
    if status != 0:
        raise error_for(status, handle)
