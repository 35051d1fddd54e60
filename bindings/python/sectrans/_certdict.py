"""``getpeercert()``'s dictionary, decoded from the certificate's DER in the
exact shape the standard ``ssl`` module gives (subject and issuer as tuples
of RDNs, ``version``, ``serialNumber``, ``notBefore``/``notAfter`` in
OpenSSL's print format, ``subjectAltName``).

A small DER reader is enough: only the fields of ``TBSCertificate`` that
``ssl`` reports are decoded, and the certificate was already parsed (and
verified) by the library, so malformed input only needs to fail cleanly.
"""

from __future__ import annotations

import datetime
import ipaddress
from typing import Any, Dict, List, Tuple

_NAMES = {
    "2.5.4.3": "commonName",
    "2.5.4.4": "surname",
    "2.5.4.5": "serialNumber",
    "2.5.4.6": "countryName",
    "2.5.4.7": "localityName",
    "2.5.4.8": "stateOrProvinceName",
    "2.5.4.9": "streetAddress",
    "2.5.4.10": "organizationName",
    "2.5.4.11": "organizationalUnitName",
    "2.5.4.12": "title",
    "2.5.4.15": "businessCategory",
    "2.5.4.17": "postalCode",
    "2.5.4.42": "givenName",
    "2.5.4.43": "initials",
    "2.5.4.44": "generationQualifier",
    "2.5.4.46": "dnQualifier",
    "2.5.4.65": "pseudonym",
    "1.2.840.113549.1.9.1": "emailAddress",
    "0.9.2342.19200300.100.1.1": "userId",
    "0.9.2342.19200300.100.1.25": "domainComponent",
    "1.3.6.1.4.1.311.60.2.1.3": "jurisdictionCountryName",
}
_SAN_OID = "2.5.29.17"
_STRING_CODECS = {
    0x0C: "utf-8",
    0x13: "ascii",
    0x16: "ascii",
    0x14: "latin-1",
    0x1E: "utf-16-be",
    0x1C: "utf-32-be",
    0x1A: "ascii",
}

_Tlv = Tuple[int, bytes]


def _tlv(data: bytes, pos: int) -> Tuple[int, int, int]:
    """(tag, content start, content end) of the element at pos."""
    tag = data[pos]
    length = data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    if pos + length > len(data):
        raise ValueError("truncated DER element")
    return tag, pos, pos + length


def element_size(data: bytes) -> int:
    """The size of the DER element at the start of data (header included)."""
    try:
        return _tlv(data, 0)[2]
    except IndexError:
        raise ValueError("truncated DER element") from None


def _children(data: bytes) -> List[_Tlv]:
    """The elements inside a constructed element's content."""
    out, pos = [], 0
    while pos < len(data):
        tag, start, end = _tlv(data, pos)
        out.append((tag, data[start:end]))
        pos = end
    return out


def _oid(content: bytes) -> str:
    first = content[0]
    parts = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    value = 0
    for byte in content[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return ".".join(str(p) for p in parts)


def _name(content: bytes) -> Tuple[Any, ...]:
    """A Name as ssl shows it: ((('commonName', 'x'),), ...)."""
    rdns = []
    for _, rdn in _children(content):
        pairs = []
        for _, attribute in _children(rdn):
            (_, oid), (tag, value) = _children(attribute)[:2]
            key = _oid(oid)
            pairs.append(
                (_NAMES.get(key, key), value.decode(_STRING_CODECS.get(tag, "latin-1"), "replace"))
            )
        rdns.append(tuple(pairs))
    return tuple(rdns)


def _time(tag: int, content: bytes) -> str:
    """UTCTime or GeneralizedTime in OpenSSL's print format."""
    text = content.decode("ascii").rstrip("Z")
    if tag == 0x17:  # UTCTime: two-digit year, 50..99 are 19xx
        text = ("19" if int(text[:2]) >= 50 else "20") + text
    when = datetime.datetime.strptime(text[:14], "%Y%m%d%H%M%S")
    return "%s %2d %s %d GMT" % (
        when.strftime("%b"),
        when.day,
        when.strftime("%H:%M:%S"),
        when.year,
    )


def _ip(content: bytes) -> str:
    if len(content) == 4:
        return str(ipaddress.IPv4Address(content))
    return ":".join(
        "%X" % int.from_bytes(content[i : i + 2], "big") for i in range(0, len(content), 2)
    )


def _general_names(content: bytes) -> Tuple[Tuple[str, Any], ...]:
    out: List[Tuple[str, Any]] = []
    for tag, value in _children(content):
        kind = tag & 0x1F
        if kind == 2:
            out.append(("DNS", value.decode("ascii", "replace")))
        elif kind == 7:
            out.append(("IP Address", _ip(value)))
        elif kind == 1:
            out.append(("email", value.decode("ascii", "replace")))
        elif kind == 6:
            out.append(("URI", value.decode("ascii", "replace")))
        elif kind == 4:
            out.append(("DirName", _name(_children(value)[0][1])))
        elif kind == 8:
            out.append(("Registered ID", _oid(value)))
        else:
            out.append(("othername", "<unsupported>"))
    return tuple(out)


def _extensions(content: bytes, result: Dict[str, Any]) -> None:
    for _, extension in _children(_children(content)[0][1]):
        parts = _children(extension)
        if _oid(parts[0][1]) == _SAN_OID:
            result["subjectAltName"] = _general_names(_children(parts[-1][1])[0][1])


def decode(der: bytes) -> Dict[str, Any]:
    """The ``ssl.getpeercert()`` dictionary of one DER certificate."""
    tbs = _children(_children(_children(der)[0][1])[0][1])
    version = 1
    if tbs[0][0] == 0xA0:  # [0] EXPLICIT Version
        version = int.from_bytes(_children(tbs[0][1])[0][1], "big") + 1
        tbs = tbs[1:]
    serial = int.from_bytes(tbs[0][1], "big", signed=True)
    validity = _children(tbs[3][1])
    result: Dict[str, Any] = {
        "subject": _name(tbs[4][1]),
        "issuer": _name(tbs[2][1]),
        "version": version,
        "serialNumber": serial.to_bytes(max(1, (serial.bit_length() + 7) // 8), "big")
        .hex()
        .upper(),
        "notBefore": _time(*validity[0]),
        "notAfter": _time(*validity[1]),
    }
    for tag, content in tbs[6:]:
        if tag == 0xA3:
            _extensions(content, result)
    return result
