"""Cipher suite names: IANA numbers, IANA names and OpenSSL's names.

``SSLContext.set_ciphers`` accepts a colon-separated list of either kind of
name for the suites the library supports; ``cipher()`` reports the names the
standard ``ssl`` module reports (OpenSSL's for TLS 1.2, IANA's for 1.3).
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from . import _sectrans as _st

# IANA number -> OpenSSL's name, for every suite BoringSSL offers.
OPENSSL_NAMES: Dict[int, str] = {
    0x1301: "TLS_AES_128_GCM_SHA256",
    0x1302: "TLS_AES_256_GCM_SHA384",
    0x1303: "TLS_CHACHA20_POLY1305_SHA256",
    0xC02B: "ECDHE-ECDSA-AES128-GCM-SHA256",
    0xC02F: "ECDHE-RSA-AES128-GCM-SHA256",
    0xC02C: "ECDHE-ECDSA-AES256-GCM-SHA384",
    0xC030: "ECDHE-RSA-AES256-GCM-SHA384",
    0xCCA9: "ECDHE-ECDSA-CHACHA20-POLY1305",
    0xCCA8: "ECDHE-RSA-CHACHA20-POLY1305",
    0xC009: "ECDHE-ECDSA-AES128-SHA",
    0xC013: "ECDHE-RSA-AES128-SHA",
    0xC00A: "ECDHE-ECDSA-AES256-SHA",
    0xC014: "ECDHE-RSA-AES256-SHA",
}


def suite_id(name: str) -> Optional[int]:
    """The IANA number for an OpenSSL or IANA suite name, None if unknown."""
    for number, openssl_name in OPENSSL_NAMES.items():
        if name in (openssl_name, _st.sectrans_cipher_name(number)):
            return number
    return None


def parse_cipher_string(text: str) -> List[int]:
    """IANA numbers of the names in an OpenSSL-style list ('A:B' or 'A,B').
    Unknown names are skipped, as OpenSSL does; an empty result is the
    caller's error."""
    names = [n.strip() for n in text.replace(",", ":").split(":")]
    found = [suite_id(n) for n in names if n]
    return [n for n in found if n is not None]


def describe(suite: int, protocol: str) -> Tuple[str, str, int]:
    """``cipher()``'s tuple: (name, protocol, secret bits)."""
    iana = _st.sectrans_cipher_name(suite) or "0x%04X" % suite
    name = OPENSSL_NAMES.get(suite, iana)
    bits = 128 if "AES_128" in iana else 256
    return name, protocol, bits
