"""Identities from DER and from PKCS#12.

sectrans_identity_create_from_der: one DER certificate and a DER key in
each encoding the header lists (PKCS#8, SEC1 EC, PKCS#1 RSA), and the
refusals (-50, -26275, -9808).

sectrans_identity_create_from_pkcs12: files made by `openssl pkcs12 -export`
as OpenSSL 3 makes them by default (AES-256-CBC, PBKDF2, SHA-256 MAC) and
with -legacy (RC2/3DES, SHA-1 MAC), with a password, with an empty one and
with a chain; the leaf is the certificate matching the key wherever it sits
in the file, the others follow in file order. Refusals: wrong or missing
password (-25293), not PKCS#12 / no key / no matching certificate (-26275),
a weak key (-9808), bad arguments (-50). Then a real handshake with a server
identity read from PKCS#12.
"""

import datetime
import os
import subprocess

import helpers
import peers
import pki as pki_module
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from helpers import check, st

ERR_PARAM = st.SECTRANS_ERR_PARAM
ERR_DECODE = st.SECTRANS_ERR_DECODE  # -26275
ERR_AUTH_FAILED = st.SECTRANS_ERR_AUTH_FAILED  # -25293
ERR_BAD_CERT = st.SECTRANS_ERR_BAD_CERT  # -9808

PASSWORD = "p12-secret"


# ---------------------------------------------------------------------------
# Helpers


def _ders(identity):
    """The identity's certificates as DER, leaf first."""
    count = check(st.sectrans_identity_get_certificate_count(identity))
    return [
        check(
            st.sectrans_certificate_copy_der(
                check(st.sectrans_identity_copy_certificate(identity, i))
            )
        )
        for i in range(count)
    ]


def _pem_ders(pem):
    """The DER of each certificate of a PEM bundle, in order."""
    return (
        [c.public_bytes(serialization.Encoding.DER) for c in x509.load_pem_x509_certificates(pem)]
        if pem
        else []
    )


def _key_der(key, fmt):
    return key.private_bytes(serialization.Encoding.DER, fmt, serialization.NoEncryption())


def _self_signed(key, name="localhost"):
    """A short-lived self-signed certificate over key."""
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )


def _write(directory, name, data):
    path = os.path.join(str(directory), name)
    with open(path, "wb") as f:
        f.write(data)
    return path


class P12Maker:
    """Makes .p12 files with `openssl pkcs12 -export` in one directory."""

    def __init__(self, directory):
        self.directory = str(directory)
        self.count = 0

    def export(
        self, cert_pem, key_pem, password=PASSWORD, *, extra_certs=b"", legacy=False, options=()
    ):
        """The bytes of a .p12 holding cert_pem (one or more certificates),
        key_pem (None: no key, -nokeys) and extra_certs (-certfile)."""
        self.count += 1
        base = os.path.join(self.directory, "p12-%d" % self.count)
        argv = [
            "openssl",
            "pkcs12",
            "-export",
            "-in",
            _write(self.directory, "p12-%d.in.pem" % self.count, cert_pem),
            "-out",
            base + ".p12",
            "-passout",
            "pass:" + password,
        ]
        if key_pem is None:
            argv.append("-nokeys")
        else:
            argv += ["-inkey", _write(self.directory, "p12-%d.key.pem" % self.count, key_pem)]
        if extra_certs:
            argv += [
                "-certfile",
                _write(self.directory, "p12-%d.extra.pem" % self.count, extra_certs),
            ]
        if legacy:
            argv.append("-legacy")
        argv += list(options)
        run = subprocess.run(argv, capture_output=True, timeout=60)
        if run.returncode != 0:
            raise AssertionError(
                "%s failed: %s" % (" ".join(argv), run.stderr.decode(errors="replace"))
            )
        with open(base + ".p12", "rb") as f:
            return f.read()

    def info(self, data, password=PASSWORD):
        """`openssl pkcs12 -info` text (algorithms of the MAC and bags)."""
        path = _write(self.directory, "info.p12", data)
        run = subprocess.run(
            ["openssl", "pkcs12", "-info", "-noout", "-in", path, "-passin", "pass:" + password],
            capture_output=True,
            timeout=60,
        )
        return (run.stdout + run.stderr).decode(errors="replace")


@pytest.fixture(scope="module")
def p12(tmp_path_factory):
    if peers.tool_path("openssl") is None:
        pytest.fail("openssl (the command) is not installed: scripts/setup-debian.sh installs it")
    return P12Maker(tmp_path_factory.mktemp("p12"))


@pytest.fixture(scope="module")
def legacy_ok(p12, pki):
    """Skips when this OpenSSL cannot write -legacy files (no legacy provider)."""
    leaf = pki.leaves["ecdsa_p256"]
    try:
        p12.export(leaf.leaf_pem, leaf.key_pem, legacy=True)
    except AssertionError as e:
        pytest.fail("openssl pkcs12 -export -legacy is unavailable: %s" % e)
    return True


def _from_p12(data, password=PASSWORD):
    return st.sectrans_identity_create_from_pkcs12(data, password)


# ---------------------------------------------------------------------------
# DER


@pytest.mark.parametrize("name", pki_module.SERVER_KEY_TYPES)
def test_der_pkcs8_each_key_type(pki, name):
    leaf = pki.leaves[name]
    identity = check(
        st.sectrans_identity_create_from_der(
            leaf.leaf_der, _key_der(leaf.key, serialization.PrivateFormat.PKCS8)
        ),
        "create_from_der(%s)" % name,
    )
    assert _ders(identity) == [leaf.leaf_der]


@pytest.mark.parametrize("name", ["rsa2048", "ecdsa_p256", "ecdsa_p384"])
def test_der_traditional_sec1_and_pkcs1(pki, name):
    """TraditionalOpenSSL DER is SEC1 ECPrivateKey for EC keys and PKCS#1
    RSAPrivateKey for RSA keys."""
    leaf = pki.leaves[name]
    key_der = _key_der(leaf.key, serialization.PrivateFormat.TraditionalOpenSSL)
    identity = check(st.sectrans_identity_create_from_der(leaf.leaf_der, key_der))
    assert _ders(identity) == [leaf.leaf_der]


def test_der_accepts_any_buffer_type(leaf_ecdsa_p256):
    leaf = leaf_ecdsa_p256
    key_der = _key_der(leaf.key, serialization.PrivateFormat.PKCS8)
    check(st.sectrans_identity_create_from_der(bytearray(leaf.leaf_der), memoryview(key_der)))


def test_der_key_of_another_leaf_is_9808(pki):
    other = _key_der(pki.leaves["ecdsa_p384"].key, serialization.PrivateFormat.PKCS8)
    status, identity = st.sectrans_identity_create_from_der(
        pki.leaves["ecdsa_p256"].leaf_der, other
    )
    assert (status, identity) == (ERR_BAD_CERT, None)
    rsa_key = _key_der(pki.leaves["rsa2048"].key, serialization.PrivateFormat.PKCS8)
    assert (
        st.sectrans_identity_create_from_der(pki.leaves["ecdsa_p256"].leaf_der, rsa_key)[0]
        == ERR_BAD_CERT
    )


def test_der_weak_keys_are_9808():
    for key in (rsa.generate_private_key(65537, 1024), ec.generate_private_key(ec.SECP521R1())):
        cert = _self_signed(key).public_bytes(serialization.Encoding.DER)
        for fmt in (
            serialization.PrivateFormat.PKCS8,
            serialization.PrivateFormat.TraditionalOpenSSL,
        ):
            assert st.sectrans_identity_create_from_der(cert, _key_der(key, fmt))[0] == ERR_BAD_CERT


def test_der_refuses_what_is_not_der(leaf_ecdsa_p256):
    leaf = leaf_ecdsa_p256
    key_der = _key_der(leaf.key, serialization.PrivateFormat.PKCS8)
    encrypted = leaf.key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pw"),
    )
    cases = {
        "PEM certificate": (leaf.leaf_pem, key_der),
        "PEM key": (leaf.leaf_der, leaf.key_pem),
        "certificate + trailing byte": (leaf.leaf_der + b"\0", key_der),
        "key + trailing byte": (leaf.leaf_der, key_der + b"\0"),
        "truncated certificate": (leaf.leaf_der[:-1], key_der),
        "truncated key": (leaf.leaf_der, key_der[:-1]),
        "encrypted PKCS#8 (no password here)": (leaf.leaf_der, encrypted),
        "key where the certificate goes": (key_der, key_der),
        "certificate where the key goes": (leaf.leaf_der, leaf.leaf_der),
        "garbage": (b"\x30\x03\x02\x01\x00", b"garbage"),
    }
    for what, (cert, key) in cases.items():
        status, identity = st.sectrans_identity_create_from_der(cert, key)
        assert (status, identity) == (ERR_DECODE, None), what


def test_der_bad_arguments(leaf_ecdsa_p256):
    leaf = leaf_ecdsa_p256
    key_der = _key_der(leaf.key, serialization.PrivateFormat.PKCS8)
    for cert, key in (
        (None, key_der),
        (leaf.leaf_der, None),
        (b"", key_der),
        (leaf.leaf_der, b""),
        (None, None),
    ):
        assert st.sectrans_identity_create_from_der(cert, key) == (ERR_PARAM, None)


# ---------------------------------------------------------------------------
# PKCS#12: what reads


@pytest.mark.parametrize("name", pki_module.SERVER_KEY_TYPES)
def test_p12_openssl3_default_with_chain(p12, pki, name):
    leaf = pki.leaves[name]
    data = p12.export(leaf.leaf_pem, leaf.key_pem, extra_certs=leaf.chain_pem + pki.ca_pem)
    identity = check(_from_p12(data), "create_from_pkcs12(%s)" % name)
    assert _ders(identity) == [leaf.leaf_der] + _pem_ders(leaf.chain_pem + pki.ca_pem)


def test_p12_default_really_is_aes_pbkdf2_sha256(p12, leaf_ecdsa_p256):
    """Guards the test above: it must exercise the modern algorithms."""
    leaf = leaf_ecdsa_p256
    info = p12.info(p12.export(leaf.leaf_pem, leaf.key_pem))
    assert "AES-256-CBC" in info and "PBKDF2" in info, info
    assert "sha256" in info.lower(), info


@pytest.mark.parametrize("name", ["rsa2048", "ecdsa_p256"])
def test_p12_legacy_with_chain(p12, pki, legacy_ok, name):
    leaf = pki.leaves[name]
    data = p12.export(leaf.leaf_pem, leaf.key_pem, extra_certs=leaf.chain_pem, legacy=True)
    info = p12.info(data)
    assert "RC2" in info or "3DES" in info or "TripleDES" in info, info
    identity = check(_from_p12(data))
    assert _ders(identity) == [leaf.leaf_der] + _pem_ders(leaf.chain_pem)


@pytest.mark.parametrize("legacy", [False, True], ids=["default", "legacy"])
def test_p12_empty_password_opens_with_empty_and_none(p12, pki, legacy_ok, legacy):
    leaf = pki.leaves["ed25519"]
    data = p12.export(leaf.leaf_pem, leaf.key_pem, "", extra_certs=leaf.chain_pem, legacy=legacy)
    for password in ("", None, b""):
        identity = check(_from_p12(data, password), "password %r" % (password,))
        assert _ders(identity) == [leaf.leaf_der] + _pem_ders(leaf.chain_pem)
    assert _from_p12(data, "not-empty") == (ERR_AUTH_FAILED, None)


def test_p12_without_chain_and_password_as_bytes(p12, leaf_incomplete):
    leaf = leaf_incomplete  # no intermediates
    data = p12.export(leaf.leaf_pem, leaf.key_pem)
    identity = check(_from_p12(data, PASSWORD.encode()))
    assert _ders(identity) == [leaf.leaf_der]


def test_p12_non_ascii_password(p12, leaf_ecdsa_p256):
    leaf = leaf_ecdsa_p256
    password = "pässwörd-\u00e9"
    data = p12.export(leaf.leaf_pem, leaf.key_pem, password)
    check(_from_p12(data, password))
    assert _from_p12(data, "passwort")[0] == ERR_AUTH_FAILED


def test_p12_leaf_is_the_certificate_matching_the_key(p12, pki):
    """The leaf sits last in the file: it still comes first, and the other
    certificates keep the file's order."""
    leaf = pki.leaves["rsa2048"]
    others = pki.intermediate_pem + pki.ca_pem
    data = p12.export(others + leaf.leaf_pem, leaf.key_pem)
    identity = check(_from_p12(data))
    assert _ders(identity) == [leaf.leaf_der] + _pem_ders(others)


# ---------------------------------------------------------------------------
# PKCS#12: refusals


def test_p12_wrong_or_missing_password_is_25293(p12, pki, legacy_ok):
    leaf = pki.leaves["ecdsa_p256"]
    for legacy in (False, True):
        data = p12.export(leaf.leaf_pem, leaf.key_pem, extra_certs=leaf.chain_pem, legacy=legacy)
        for password in ("wrong", PASSWORD + "x", PASSWORD[:-1], "", None):
            assert _from_p12(data, password) == (ERR_AUTH_FAILED, None), (legacy, password)
        check(_from_p12(data))  # and the right one still works
    # A password that is not UTF-8 cannot be the right one either.
    assert _from_p12(data, b"\xff\xfe")[0] == ERR_AUTH_FAILED


def test_p12_without_a_key_is_26275(p12, leaf_ecdsa_p256):
    leaf = leaf_ecdsa_p256
    data = p12.export(leaf.cert_pem, None)
    assert _from_p12(data) == (ERR_DECODE, None)


def test_p12_key_without_matching_certificate_is_26275(pki):
    """A key and only certificates of other keys (openssl refuses to write
    that, so cryptography does)."""
    key = pki.leaves["ecdsa_p256"].key
    others = [pki.leaves["ecdsa_p384"].cert, pki.intermediate.cert]
    data = pkcs12.serialize_key_and_certificates(
        b"mismatch", key, None, others, serialization.BestAvailableEncryption(PASSWORD.encode())
    )
    assert _from_p12(data) == (ERR_DECODE, None)
    # The same key with its own certificate among the others opens.
    data = pkcs12.serialize_key_and_certificates(
        b"match",
        key,
        None,
        others + [pki.leaves["ecdsa_p256"].cert],
        serialization.BestAvailableEncryption(PASSWORD.encode()),
    )
    identity = check(_from_p12(data))
    assert _ders(identity)[0] == pki.leaves["ecdsa_p256"].leaf_der


def test_p12_without_mac_is_26275(p12, leaf_ecdsa_p256):
    """BoringSSL refuses PKCS#12 files without a MAC (PKCS8_R_MISSING_MAC):
    nothing authenticates them."""
    leaf = leaf_ecdsa_p256
    data = p12.export(leaf.leaf_pem, leaf.key_pem, options=["-nomac"])
    assert _from_p12(data) == (ERR_DECODE, None)


def test_p12_weak_key_is_9808(p12, tmp_path):
    key = rsa.generate_private_key(65537, 1024)
    cert = _self_signed(key).public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    assert _from_p12(p12.export(cert, key_pem)) == (ERR_BAD_CERT, None)


def test_p12_not_pkcs12_is_26275(p12, leaf_ecdsa_p256):
    leaf = leaf_ecdsa_p256
    good = p12.export(leaf.leaf_pem, leaf.key_pem)
    for what, data in {
        "garbage": b"not a pkcs12 file at all",
        "one byte": b"\x30",
        "PEM": leaf.combined_pem,
        "DER certificate": leaf.leaf_der,
        "truncated": good[: len(good) // 2],
    }.items():
        assert _from_p12(data) == (ERR_DECODE, None), what


def test_p12_bad_arguments(p12, leaf_ecdsa_p256):
    leaf = leaf_ecdsa_p256
    assert _from_p12(None) == (ERR_PARAM, None)
    assert _from_p12(b"") == (ERR_PARAM, None)
    with pytest.raises(ValueError):  # a NUL cannot travel in a C string
        _from_p12(p12.export(leaf.leaf_pem, leaf.key_pem), "pass\0word")


# ---------------------------------------------------------------------------
# Handshakes


@pytest.mark.parametrize("legacy", [False, True], ids=["default", "legacy"])
@pytest.mark.parametrize("name", ["rsa2048", "ecdsa_p256"])
def test_handshake_with_pkcs12_server_identity(p12, pki, legacy_ok, legacy, name):
    leaf = pki.leaves[name]
    data = p12.export(leaf.leaf_pem, leaf.key_pem, extra_certs=leaf.chain_pem, legacy=legacy)
    identity = check(_from_p12(data))
    client, server = helpers.make_pair(identity, client=dict(anchors=leaf.ca_pem))
    helpers.handshake(client, server)
    trust = check(st.sectrans_copy_peer_trust(client))
    count = check(st.sectrans_trust_get_certificate_count(trust))
    sent = [
        check(st.sectrans_certificate_copy_der(check(st.sectrans_trust_copy_certificate(trust, i))))
        for i in range(count)
    ]
    assert sent == [leaf.leaf_der] + _pem_ders(leaf.chain_pem)
    helpers.transfer(client, server, b"hello over a PKCS#12 identity")
    helpers.transfer(server, client, b"and back")
