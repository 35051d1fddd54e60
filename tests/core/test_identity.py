"""Identities: a private key with its leaf and intermediates.

From PEM in every key encoding the header lists (PKCS#8, SEC1, PKCS#1,
encrypted), the refusals (-25293, -9808, -26275), self-signed identities of
each key type, and real handshakes with each server key type over TLS 1.2
and TLS 1.3.
"""

import datetime
import time

import helpers
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from helpers import check, st

KEY_TYPES = {
    "ecdsa_p256": st.SECTRANS_KEY_ECDSA_P256,
    "ecdsa_p384": st.SECTRANS_KEY_ECDSA_P384,
    "rsa2048": st.SECTRANS_KEY_RSA_2048,
    "rsa3072": st.SECTRANS_KEY_RSA_3072,
    "ed25519": st.SECTRANS_KEY_ED25519,
}


def _create(cert_pem, key_pem=None, password=None):
    return st.sectrans_identity_create_from_pem(cert_pem, key_pem, password)


def _ders(identity):
    count = check(st.sectrans_identity_get_certificate_count(identity))
    return [
        check(
            st.sectrans_certificate_copy_der(
                check(st.sectrans_identity_copy_certificate(identity, i))
            )
        )
        for i in range(count)
    ]


def _pkcs8(key):
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _self_signed_with(key):
    """cert PEM, key PEM: a localhost leaf over key, signed by itself."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), False)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM), _pkcs8(key)


# ---------------------------------------------------------------------------
# From PEM


@pytest.mark.parametrize("order", ["key-last", "key-first"])
def test_key_and_chain_in_one_pem(pki, order):
    leaf = pki.rsa2048
    pem = leaf.combined_pem if order == "key-last" else leaf.key_pem + leaf.cert_pem
    identity = check(_create(pem))
    assert _ders(identity) == [leaf.leaf_der, pki.intermediate.der]


def test_key_separate(pki):
    leaf = pki.ecdsa_p384
    identity = check(_create(leaf.cert_pem, leaf.key_pem))
    assert check(st.sectrans_identity_get_certificate_count(identity)) == 2
    assert _ders(identity) == [leaf.leaf_der, pki.intermediate.der]
    leaf_only = check(_create(leaf.leaf_pem, leaf.key_pem))
    assert _ders(leaf_only) == [leaf.leaf_der]


def test_copy_certificate_out_of_range(pki):
    identity = helpers.make_identity(pki.ecdsa_p256)
    assert st.sectrans_identity_copy_certificate(identity, 2) == (st.SECTRANS_ERR_PARAM, None)


@pytest.mark.parametrize(
    "leaf_name, form, marker",
    [
        ("ecdsa_p256", "pkcs8", b"BEGIN PRIVATE KEY"),
        ("rsa2048", "pkcs8", b"BEGIN PRIVATE KEY"),
        ("ed25519", "pkcs8", b"BEGIN PRIVATE KEY"),
        ("ecdsa_p256", "traditional", b"BEGIN EC PRIVATE KEY"),  # SEC1
        ("ecdsa_p384", "traditional", b"BEGIN EC PRIVATE KEY"),
        ("rsa2048", "traditional", b"BEGIN RSA PRIVATE KEY"),  # PKCS#1
    ],
)
def test_key_encodings(pki, leaf_name, form, marker):
    leaf = pki.leaves[leaf_name]
    key_pem = leaf.key_pem if form == "pkcs8" else leaf.key_pem_traditional
    assert marker in key_pem
    identity = check(_create(leaf.cert_pem, key_pem))
    assert _ders(identity)[0] == leaf.leaf_der
    # The same key after the chain, in one buffer.
    check(_create(leaf.cert_pem + key_pem))


def _legacy_encrypted(leaf, password):
    return leaf.key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.BestAvailableEncryption(password),
    )


@pytest.mark.parametrize("form", ["pkcs8", "legacy-pem"])
def test_encrypted_key_right_and_wrong_password(pki, form):
    leaf = pki.ecdsa_p256
    if form == "pkcs8":
        key_pem = leaf.key_pem_encrypted
        assert b"BEGIN ENCRYPTED PRIVATE KEY" in key_pem
    else:
        key_pem = _legacy_encrypted(leaf, pki.password)
        assert b"Proc-Type: 4,ENCRYPTED" in key_pem
    identity = check(_create(leaf.cert_pem, key_pem, pki.password))
    assert _ders(identity)[0] == leaf.leaf_der
    check(_create(leaf.cert_pem, key_pem, pki.password.decode()))  # str works too
    for wrong in (b"wrong password", pki.password[:-1], None):
        assert _create(leaf.cert_pem, key_pem, wrong) == (st.SECTRANS_ERR_AUTH_FAILED, None)


def test_password_is_ignored_for_a_plain_key(pki):
    leaf = pki.ecdsa_p256
    check(_create(leaf.cert_pem, leaf.key_pem, b"not needed"))


def test_mismatched_key_is_a_bad_cert(pki):
    # Same key type, different key.
    assert _create(pki.ecdsa_p256.cert_pem, pki.expired.key_pem) == (st.SECTRANS_ERR_BAD_CERT, None)
    # Different key type.
    assert _create(pki.rsa2048.cert_pem, pki.ed25519.key_pem) == (st.SECTRANS_ERR_BAD_CERT, None)


@pytest.mark.parametrize("key", ["rsa1024", "ecdsa_p521"])
def test_unsupported_keys_are_refused(key):
    if key == "rsa1024":
        private = rsa.generate_private_key(65537, 1024)
    else:
        private = ec.generate_private_key(ec.SECP521R1())
    cert_pem, key_pem = _self_signed_with(private)
    assert _create(cert_pem, key_pem) == (st.SECTRANS_ERR_BAD_CERT, None)
    assert _create(cert_pem + key_pem) == (st.SECTRANS_ERR_BAD_CERT, None)


def test_missing_parts_are_decode_errors(pki):
    leaf = pki.ecdsa_p256
    # No key anywhere.
    assert _create(leaf.cert_pem) == (st.SECTRANS_ERR_DECODE, None)
    # No certificate.
    assert _create(leaf.key_pem, leaf.key_pem) == (st.SECTRANS_ERR_DECODE, None)
    assert _create(b"nothing", leaf.key_pem) == (st.SECTRANS_ERR_DECODE, None)
    # A key buffer without a key.
    assert _create(leaf.cert_pem, leaf.cert_pem) == (st.SECTRANS_ERR_DECODE, None)


# ---------------------------------------------------------------------------
# Self-signed


def _self_signed(name, key_type):
    return check(
        st.sectrans_identity_create_self_signed(name, key_type),
        "sectrans_identity_create_self_signed(%r, %d)" % (name, key_type),
    )


def _verifies_itself(identity, peer_name):
    """A handshake where the client trusts exactly this self-signed leaf."""
    cert = check(st.sectrans_identity_copy_certificate(identity, 0))
    client, server = helpers.make_pair(
        identity,
        peer_name=peer_name,
        client=dict(anchors=check(st.sectrans_certificate_copy_pem(cert))),
    )
    helpers.handshake(client, server)


@pytest.mark.parametrize("key_name", list(KEY_TYPES))
def test_self_signed_of_each_key_type(key_name):
    before = int(time.time())
    identity = _self_signed("localhost", KEY_TYPES[key_name])
    after = int(time.time())
    assert check(st.sectrans_identity_get_certificate_count(identity)) == 1
    cert = check(st.sectrans_identity_copy_certificate(identity, 0))
    assert check(st.sectrans_certificate_copy_subject(cert)) == b"CN=localhost"
    assert check(st.sectrans_certificate_copy_issuer(cert)) == b"CN=localhost"
    assert check(st.sectrans_certificate_copy_san(cert)) == b"DNS:localhost"
    status, not_before, not_after = st.sectrans_certificate_get_validity(cert)
    assert status == 0
    assert before - 3600 - 2 <= not_before <= after - 3600 + 2
    assert not_after - not_before == 30 * 86400
    der = check(st.sectrans_certificate_copy_der(cert))
    parsed = x509.load_der_x509_certificate(der)
    expected_key = {
        "ecdsa_p256": (ec.EllipticCurvePublicKey, 256),
        "ecdsa_p384": (ec.EllipticCurvePublicKey, 384),
        "rsa2048": (rsa.RSAPublicKey, 2048),
        "rsa3072": (rsa.RSAPublicKey, 3072),
    }.get(key_name)
    if expected_key:
        assert isinstance(parsed.public_key(), expected_key[0])
        assert parsed.public_key().key_size == expected_key[1]
    _verifies_itself(identity, "localhost")


@pytest.mark.parametrize(
    "name, san",
    [
        ("127.0.0.1", b"IP:127.0.0.1"),
        ("::1", b"IP:::1"),
    ],
)
def test_self_signed_for_an_ip_literal(name, san):
    identity = _self_signed(name, st.SECTRANS_KEY_ECDSA_P256)
    cert = check(st.sectrans_identity_copy_certificate(identity, 0))
    assert check(st.sectrans_certificate_copy_san(cert)) == san
    _verifies_itself(identity, name)


def test_self_signed_long_name_lives_in_the_san_only():
    name = "a" * 60 + ".example"  # 68 bytes: too long for a commonName
    identity = _self_signed(name, st.SECTRANS_KEY_ECDSA_P256)
    cert = check(st.sectrans_identity_copy_certificate(identity, 0))
    assert check(st.sectrans_certificate_copy_subject(cert)) == b""
    assert check(st.sectrans_certificate_copy_san(cert)) == b"DNS:" + name.encode()
    _verifies_itself(identity, name)


@pytest.mark.parametrize("name", ["", "a" * 254], ids=["empty", "254-bytes"])
def test_self_signed_bad_names(name):
    # (Unknown key types: test_misuse.py.)
    assert st.sectrans_identity_create_self_signed(name, st.SECTRANS_KEY_ECDSA_P256) == (
        st.SECTRANS_ERR_PARAM,
        None,
    )


def test_self_signed_name_of_253_bytes_is_accepted():
    name = ".".join(["a" * 63] * 3 + ["a" * 61])  # 253 bytes
    assert len(name) == 253
    _self_signed(name, st.SECTRANS_KEY_ECDSA_P256)


# ---------------------------------------------------------------------------
# Handshakes with each server key type, TLS 1.2 and TLS 1.3


@pytest.mark.parametrize(
    "version", [st.SECTRANS_PROTOCOL_TLS12, st.SECTRANS_PROTOCOL_TLS13], ids=["tls12", "tls13"]
)
def test_handshake_with_each_server_key_type(pki, server_leaf, version):
    # The server caps the version; the client keeps its defaults (Ed25519
    # works only because the core sets verify preferences that include it).
    client, server = helpers.make_pair(server_leaf, server=dict(max_version=version))
    helpers.handshake(client, server)
    for ctx in (client, server):
        assert st.sectrans_get_negotiated_protocol_version(ctx) == (0, version)
    trust = check(st.sectrans_copy_peer_trust(client))
    leaf = check(st.sectrans_trust_copy_certificate(trust, 0))
    assert check(st.sectrans_certificate_copy_der(leaf)) == server_leaf.leaf_der
    assert helpers.transfer(client, server, b"key type ok") == b"key type ok"
