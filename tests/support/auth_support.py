"""Support for the break-point, client-auth, resumption, trust-evaluation and
OCSP suites (test_break_points.py, test_client_auth.py, test_resumption.py,
test_trust_evaluation.py, test_ocsp_and_errors.py).

Nothing here mocks the library: these are certificates and DER structures
made with `cryptography`, a ClientHello parser for checking what went on
the wire.

    require_openssl()         fails clearly when the openssl tool is missing
    foreign_client(pki)       a clientAuth leaf issued by pki.untrusted_root,
                              with files (leaf, key, chain = that root)
    time_chain()              a small PKI of its own with wide CA validity:
                              an expired leaf and a not-yet-valid leaf that
                              can be moved into validity by a verify time
    ocsp_response(leaf, pki)  a DER OCSP response for leaf, signed by its
                              issuer (the test intermediate)
    client_hello(data)        the ClientHello in a first flight: its
                              session_id and {extension type: body}
    name_der(x509_name)       DER encoding of an X.501 Name
    peer_id()                 a fresh peer ID (the session cache is
                              process-wide: every test uses its own)
"""

import dataclasses
import datetime
import os
import struct
import uuid

import peers
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

EXT_SERVER_NAME = 0x0000
EXT_STATUS_REQUEST = 0x0005
EXT_SESSION_TICKET = 0x0023
EXT_PRE_SHARED_KEY = 0x0029


def require_openssl():
    if peers.tool_path("openssl") is None:
        pytest.fail("openssl is not installed (Debian: apt-get install -y openssl)", pytrace=False)


def peer_id():
    return b"test-" + uuid.uuid4().bytes


def name_der(name):
    return name.public_bytes()


def _pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key):
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _name(cn):
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "sectrans tests"),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def _build(
    subject,
    issuer_name,
    issuer_key,
    public_key,
    not_before,
    not_after,
    *,
    ca=False,
    eku=None,
    dns=(),
):
    b = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    if dns:
        b = b.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(d) for d in dns]), critical=False
        )
    return b.sign(issuer_key, hashes.SHA256())


@dataclasses.dataclass
class SimpleLeaf:
    """A leaf with its key and the files a peer tool needs."""

    cert: x509.Certificate
    leaf_pem: bytes
    leaf_der: bytes
    chain_pem: bytes
    cert_pem: bytes  # leaf + chain, for sectrans_identity_create_from_pem
    key_pem: bytes
    leaf_file: str = ""
    key_file: str = ""
    chain_file: str = ""


_foreign = {}


def foreign_client(pki):
    """A clientAuth leaf (SAN DNS:foreign.example) issued by
    pki.untrusted_root; its chain holds that root, so a verifier anchored at
    the test root finds a self-signed root it does not trust (-9812)."""
    if id(pki) in _foreign:
        return _foreign[id(pki)]
    root = pki.untrusted_root
    key = ec.generate_private_key(ec.SECP256R1())
    now = pki.now
    cert = _build(
        _name("sectrans foreign client"),
        root.cert.subject,
        root.key,
        key.public_key(),
        now - datetime.timedelta(hours=1),
        now + datetime.timedelta(days=30),
        eku=[ExtendedKeyUsageOID.CLIENT_AUTH],
        dns=["foreign.example"],
    )
    leaf = SimpleLeaf(
        cert=cert,
        leaf_pem=_pem(cert),
        leaf_der=cert.public_bytes(serialization.Encoding.DER),
        chain_pem=root.pem,
        cert_pem=_pem(cert) + root.pem,
        key_pem=_key_pem(key),
    )
    d = pki.directory
    for attr, name, data in (
        ("leaf_file", "foreign-client.pem", leaf.leaf_pem),
        ("key_file", "foreign-client.key.pem", leaf.key_pem),
        ("chain_file", "foreign-client.chain.pem", leaf.chain_pem),
    ):
        path = os.path.join(d, name)
        with open(path, "wb") as f:
            f.write(data)
        setattr(leaf, attr, path)
    _foreign[id(pki)] = leaf
    return leaf


@dataclasses.dataclass
class TimeChain:
    """A root valid from now-400d to now+400d, and two leaves under it
    (SAN DNS:localhost, serverAuth): `expired` valid [now-60d, now-30d],
    `future` valid [now+30d, now+60d]. Times are Unix seconds."""

    now: int
    root_pem: bytes
    expired_der: bytes
    future_der: bytes
    valid_der: bytes  # valid [now-1d, now+1d]


_time_chain = []


def time_chain():
    if _time_chain:
        return _time_chain[0]
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    day = datetime.timedelta(days=1)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name("sectrans time-travel root")
    root = _build(
        root_name,
        root_name,
        root_key,
        root_key.public_key(),
        now - 400 * day,
        now + 400 * day,
        ca=True,
    )

    def leaf(nb, na):
        k = ec.generate_private_key(ec.SECP256R1())
        return _build(
            _name("sectrans time-travel leaf"),
            root_name,
            root_key,
            k.public_key(),
            nb,
            na,
            eku=[ExtendedKeyUsageOID.SERVER_AUTH],
            dns=["localhost"],
        ).public_bytes(serialization.Encoding.DER)

    chain = TimeChain(
        now=int(now.timestamp()),
        root_pem=_pem(root),
        expired_der=leaf(now - 60 * day, now - 30 * day),
        future_der=leaf(now + 30 * day, now + 60 * day),
        valid_der=leaf(now - day, now + day),
    )
    _time_chain.append(chain)
    return chain


def ocsp_response(leaf, pki):
    """A successful DER OCSP response saying leaf is good, signed by its
    issuer (the test intermediate), valid for a day."""
    issuer = pki.intermediate
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    builder = (
        ocsp.OCSPResponseBuilder()
        .add_response(
            cert=leaf.cert,
            issuer=issuer.cert,
            algorithm=hashes.SHA1(),
            cert_status=ocsp.OCSPCertStatus.GOOD,
            this_update=now - datetime.timedelta(minutes=5),
            next_update=now + datetime.timedelta(days=1),
            revocation_time=None,
            revocation_reason=None,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, issuer.cert)
        .certificates([issuer.cert])
    )
    response = builder.sign(issuer.key, hashes.SHA256())
    return response.public_bytes(serialization.Encoding.DER)


@dataclasses.dataclass
class ClientHello:
    session_id: bytes
    extensions: dict  # type -> body bytes


def client_hello(data):
    """Parses the ClientHello at the start of a client's first flight (one
    or more TLS records of type handshake)."""
    body = bytearray()
    off = 0
    while off + 5 <= len(data):
        ctype, _ver, length = struct.unpack(">BHH", data[off : off + 5])
        assert ctype == 22, "not a handshake record: type %d" % ctype
        body += data[off + 5 : off + 5 + length]
        off += 5 + length
        if len(body) >= 4 and len(body) >= 4 + int.from_bytes(body[1:4], "big"):
            break
    assert body and body[0] == 1, "not a ClientHello"
    msg = bytes(body[4 : 4 + int.from_bytes(body[1:4], "big")])
    p = 2 + 32  # legacy_version, random
    sid = msg[p + 1 : p + 1 + msg[p]]
    p += 1 + msg[p]
    p += 2 + int.from_bytes(msg[p : p + 2], "big")  # cipher suites
    p += 1 + msg[p]  # compression methods
    end = p + 2 + int.from_bytes(msg[p : p + 2], "big")
    p += 2
    exts = {}
    while p + 4 <= end:
        etype, elen = struct.unpack(">HH", msg[p : p + 4])
        exts[etype] = msg[p + 4 : p + 4 + elen]
        p += 4 + elen
    return ClientHello(session_id=sid, extensions=exts)
