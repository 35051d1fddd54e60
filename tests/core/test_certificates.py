"""Certificate handles: parsing, encodings and descriptions, checked against
what `cryptography` wrote.

The module does the (buf, *len) size query internally (LOWLEVEL.md), so
every sized output below went through the -9817 round trip; what Python
can see of that protocol is that each value comes back whole, with no NUL
terminator, and that an empty value is b"".
"""

import base64
import datetime
import hashlib
import ipaddress
import re

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID
from helpers import check, st

UTC = datetime.timezone.utc


def _cert(der):
    return check(st.sectrans_certificate_create_from_der(der), "create_from_der")


def _self_signed(sans=None, not_before=None, not_after=None, name="sectrans cert test"):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or datetime.datetime(2020, 1, 1, tzinfo=UTC))
        .not_valid_after(not_after or datetime.datetime(2040, 1, 1, tzinfo=UTC))
    )
    if sans is not None:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), False)
    return builder.sign(key, hashes.SHA256())


def _der(cert):
    return cert.public_bytes(serialization.Encoding.DER)


# ---------------------------------------------------------------------------
# Parsing and encodings


@pytest.mark.parametrize("leaf_name", ["rsa2048", "ecdsa_p384", "ed25519"])
def test_der_and_pem_round_trip(pki, leaf_name):
    leaf = pki.leaves[leaf_name]
    from_der = _cert(leaf.leaf_der)
    from_pem = check(st.sectrans_certificate_create_from_pem(leaf.leaf_pem))
    for cert in (from_der, from_pem):
        assert check(st.sectrans_certificate_copy_der(cert)) == leaf.leaf_der
        pem = check(st.sectrans_certificate_copy_pem(cert))
        assert (
            x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)
            == leaf.leaf_der
        )
        again = check(st.sectrans_certificate_create_from_pem(pem))
        assert check(st.sectrans_certificate_copy_der(again)) == leaf.leaf_der


def test_pem_takes_the_first_certificate_block(pki):
    leaf = pki.ecdsa_p256
    # A key block first (skipped), then leaf + intermediate: the leaf wins.
    cert = check(st.sectrans_certificate_create_from_pem(leaf.key_pem + leaf.cert_pem))
    assert check(st.sectrans_certificate_copy_der(cert)) == leaf.leaf_der
    # Text around the blocks is fine, as in any PEM file.
    cert = check(
        st.sectrans_certificate_create_from_pem(
            b"subject=whatever\n" + pki.intermediate_pem + b"trailing words\n"
        )
    )
    assert check(st.sectrans_certificate_copy_der(cert)) == pki.intermediate.der


def test_pem_with_crlf_line_endings(pki):
    leaf = pki.ecdsa_p256
    cert = check(st.sectrans_certificate_create_from_pem(leaf.leaf_pem.replace(b"\n", b"\r\n")))
    assert check(st.sectrans_certificate_copy_der(cert)) == leaf.leaf_der


def _damaged_pem(pki):
    body = base64.encodebytes(b"\x30\x82\x01\x00" + b"\x00" * 40)
    return b"-----BEGIN CERTIFICATE-----\n" + body + b"-----END CERTIFICATE-----\n"


@pytest.mark.parametrize(
    "what", ["garbage", "truncated", "key-only", "damaged-block", "not-base64"]
)
def test_bad_input_is_a_decode_error(pki, what):
    leaf = pki.ecdsa_p256
    if what in ("garbage", "truncated"):
        der = b"not a certificate" if what == "garbage" else leaf.leaf_der[:-1]
        assert st.sectrans_certificate_create_from_der(der) == (st.SECTRANS_ERR_DECODE, None)
    pem = {
        "garbage": b"no PEM here at all",
        "truncated": leaf.leaf_pem[: len(leaf.leaf_pem) // 2],
        "key-only": leaf.key_pem,
        "damaged-block": _damaged_pem(pki),
        "not-base64": b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
    }[what]
    assert st.sectrans_certificate_create_from_pem(pem) == (st.SECTRANS_ERR_DECODE, None)


def test_der_is_not_pem_and_pem_is_not_der(pki):
    leaf = pki.ecdsa_p256
    assert st.sectrans_certificate_create_from_der(leaf.leaf_pem)[0] == st.SECTRANS_ERR_DECODE
    assert st.sectrans_certificate_create_from_pem(leaf.leaf_der)[0] == st.SECTRANS_ERR_DECODE


# ---------------------------------------------------------------------------
# Descriptions


@pytest.mark.parametrize("leaf_name", ["rsa2048", "untrusted"])
def test_subject_and_issuer_are_rfc2253_text(pki, leaf_name):
    leaf = pki.leaves[leaf_name]
    cert = _cert(leaf.leaf_der)
    subject = check(st.sectrans_certificate_copy_subject(cert))
    issuer = check(st.sectrans_certificate_copy_issuer(cert))
    assert subject.decode() == leaf.cert.subject.rfc4514_string()
    assert issuer.decode() == leaf.cert.issuer.rfc4514_string()
    assert b"\n" not in subject and not subject.endswith(b"\0")
    root = _cert(pki.root.der)
    assert check(st.sectrans_certificate_copy_subject(root)) == check(
        st.sectrans_certificate_copy_issuer(root)
    )


def _rfc2253_unescape_hex(text):
    """Turns RFC 2253 \\XX pairs back into bytes (other escapes stay)."""
    return re.sub(rb"\\([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), text)


@pytest.mark.parametrize(
    "value, string_type",
    [
        ('a,b+c=d"e\\f<g>h;i', None),  # RFC 2253 specials
        (" lead and trail ", None),
        ("#hash", None),
        ("line1\nline2", None),  # a control byte: still one line
        ("Z\u00fcrich \u6771\u4eac", None),  # UTF8String
        ("Z\u00fcrich", _ASN1Type.BMPString),  # UCS-2 on the wire, UTF-8 out
    ],
)
def test_subject_text_is_one_escaped_line(value, string_type):
    kw = {} if string_type is None else {"_type": string_type}
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, value, **kw),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "sectrans tests"),
        ]
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(datetime.datetime(2020, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime.datetime(2040, 1, 1, tzinfo=UTC))
        .sign(key, hashes.SHA256())
    )
    subject = check(st.sectrans_certificate_copy_subject(_cert(_der(cert))))
    assert all(0x20 <= b < 0x7F for b in subject), subject  # one printable line
    expected = name.rfc4514_string()
    assert _rfc2253_unescape_hex(subject).decode("utf-8") == _rfc2253_unescape_hex(
        expected.encode("utf-8")
    ).decode("utf-8")


@pytest.mark.parametrize(
    "leaf_name, lines",
    [
        ("ecdsa_p256", [b"DNS:localhost", b"IP:127.0.0.1"]),
        ("wrong_name", [b"DNS:other.example"]),
        ("ip_only", [b"IP:127.0.0.1"]),
    ],
)
def test_san_lines(pki, leaf_name, lines):
    san = check(st.sectrans_certificate_copy_san(_cert(pki.leaves[leaf_name].leaf_der)))
    assert san.split(b"\n") == lines
    assert not san.endswith(b"\n") and not san.endswith(b"\0")


def test_san_kinds_escapes_and_skipped_names():
    cert = _self_signed(
        sans=[
            x509.DNSName("a.example"),
            x509.IPAddress(ipaddress.ip_address("2001:db8::1")),
            x509.RFC822Name("someone@example.com"),
            x509.UniformResourceIdentifier("https://example.com/x"),
            x509.DirectoryName(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "dir")])),
            x509.DNSName("evil\nDNS:forged.example"),
            x509.DNSName("bell\x07"),
        ]
    )
    san = check(st.sectrans_certificate_copy_san(_cert(_der(cert))))
    assert san.split(b"\n") == [
        b"DNS:a.example",
        b"IP:2001:db8::1",
        b"EMAIL:someone@example.com",
        b"URI:https://example.com/x",
        b"DNS:evil\\x0aDNS:forged.example",  # a control byte never makes a line
        b"DNS:bell\\x07",
    ]


def test_no_san_is_empty(pki):
    assert check(st.sectrans_certificate_copy_san(_cert(pki.root.der))) == b""
    assert check(st.sectrans_certificate_copy_san(_cert(_der(_self_signed())))) == b""


def test_sha256_fingerprint_is_hash_of_der(pki):
    for der in (pki.root.der, pki.intermediate.der, pki.ed25519.leaf_der):
        fingerprint = check(st.sectrans_certificate_copy_sha256(_cert(der)))
        assert fingerprint == hashlib.sha256(der).digest()
        assert len(fingerprint) == 32


@pytest.mark.parametrize(
    "not_before, not_after",
    [
        (None, None),  # the pki leaf (UTCTime)
        (
            datetime.datetime(1965, 3, 1, 0, 0, 1, tzinfo=UTC),  # before the epoch
            datetime.datetime(2061, 6, 1, 12, 30, 5, tzinfo=UTC),
        ),  # GeneralizedTime
        (
            datetime.datetime(1950, 1, 1, tzinfo=UTC),  # the extremes of
            datetime.datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
        ),  # X.509 time
        (
            datetime.datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC),
            datetime.datetime(2049, 12, 31, 23, 59, 59, tzinfo=UTC),
        ),  # last UTCTime year
    ],
)
def test_validity_is_what_was_written(pki, not_before, not_after):
    if not_before is None:
        cert = pki.expired.cert
    else:
        cert = _self_signed(not_before=not_before, not_after=not_after)
    status, before, after = st.sectrans_certificate_get_validity(_cert(_der(cert)))
    assert status == 0
    assert before == int(cert.not_valid_before_utc.timestamp())
    assert after == int(cert.not_valid_after_utc.timestamp())


def test_sized_outputs_come_back_whole_without_terminator(pki):
    # Each value went through the size query (-9817, then the real call).
    leaf = pki.rsa2048
    cert = _cert(leaf.leaf_der)
    pem = check(st.sectrans_certificate_copy_pem(cert))
    assert pem.startswith(b"-----BEGIN CERTIFICATE-----\n")
    assert pem.endswith(b"-----END CERTIFICATE-----\n")
    assert len(pem) > 900 and pem == leaf.leaf_pem
    for fn in (
        st.sectrans_certificate_copy_subject,
        st.sectrans_certificate_copy_issuer,
        st.sectrans_certificate_copy_san,
        st.sectrans_certificate_copy_pem,
    ):
        assert b"\0" not in check(fn(cert))
