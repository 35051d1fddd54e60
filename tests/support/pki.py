"""Test certificates, made at test time with `cryptography`.

Nothing here needs sectrans: the CLI, Lua and Go suites use the same files.
support/shared_fixtures.py builds one `Pki` per test session (fixture `pki`) and writes it
under a temporary directory.

Layout of `Pki`:

    pki.root          the test root CA (ECDSA P-256), the anchor of most leaves
    pki.intermediate  an intermediate CA signed by the root (path length 0)
    pki.untrusted_root  a second root nobody trusts
    pki.leaves[name]  a `Leaf` for each name in LEAF_NAMES (also pki.<name>)
    pki.ca_pem / pki.ca_file             the root, as PEM bytes / file
    pki.intermediate_pem / ..._file      the intermediate
    pki.password      password of every leaf's key_pem_encrypted

Leaves (all signed by the intermediate unless said otherwise; all server
leaves have SAN DNS:localhost + IP:127.0.0.1 and EKU serverAuth):

    rsa2048, ecdsa_p256, ecdsa_p384, ed25519   one per key type
    rsa_encipher_only RSA, keyUsage keyEncipherment without digitalSignature
    expired           not_after in the past (ECDSA P-256)
    not_yet_valid     not_before in the future
    wrong_name        SAN DNS:other.example only
    ip_only           SAN IP:127.0.0.1 only
    untrusted         signed by untrusted_root; its chain holds that root
    incomplete        signed by the intermediate, but the chain omits it
    client            EKU clientAuth, SAN DNS:client.example (for client auth)

SERVER_KEY_TYPES lists the four key-type leaves, for parametrizing.
"""

import dataclasses
import datetime
import hashlib
import ipaddress
import os
from typing import Dict, List, Optional

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SERVER_KEY_TYPES = ("rsa2048", "ecdsa_p256", "ecdsa_p384", "ed25519")
LEAF_NAMES = SERVER_KEY_TYPES + (
    "expired",
    "not_yet_valid",
    "wrong_name",
    "ip_only",
    "untrusted",
    "incomplete",
    "client",
)
PASSWORD = b"sectrans-test-password"


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@dataclasses.dataclass
class CA:
    """A certificate authority: its certificate and key."""

    name: str
    cert: x509.Certificate
    key: object
    pem: bytes  # the CA certificate, PEM
    file: str  # ... written to this file

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)


@dataclasses.dataclass
class Leaf:
    """One end-entity certificate with its key and chain.

    cert_pem is what a TLS peer presents: the leaf followed by its chain
    (the intermediate; for `untrusted` the untrusted root; for `incomplete`
    nothing). ca_pem is the anchor a verifier should trust for it (the test
    root), identical for every leaf, `untrusted` included (on purpose).
    """

    name: str
    cert: x509.Certificate
    key: object
    leaf_pem: bytes  # the leaf certificate alone
    leaf_der: bytes
    chain_pem: bytes  # the certificates after the leaf (maybe b"")
    cert_pem: bytes  # leaf_pem + chain_pem
    key_pem: bytes  # PKCS#8, unencrypted
    key_pem_encrypted: bytes  # PKCS#8, encrypted with PASSWORD
    key_pem_traditional: Optional[bytes]  # SEC1 / PKCS#1; None for Ed25519
    combined_pem: bytes  # cert_pem + key_pem (one file holding both)
    ca_pem: bytes  # the anchor to trust (the test root)
    sha256: bytes  # SHA-256 of leaf_der
    dns_names: List[str]
    ip_addresses: List[str]
    # Files holding the same bytes.
    cert_file: str = ""  # cert_pem (leaf + chain)
    leaf_file: str = ""
    chain_file: str = ""  # chain_pem (may be empty)
    key_file: str = ""
    key_encrypted_file: str = ""
    combined_file: str = ""
    ca_file: str = ""

    @property
    def subject(self) -> str:
        return self.cert.subject.rfc4514_string()

    @property
    def issuer(self) -> str:
        return self.cert.issuer.rfc4514_string()


class Pki:
    """Every CA and leaf of a test session (see the module docstring)."""

    def __init__(self, directory: str):
        self.directory = directory
        self.password = PASSWORD
        self.now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        self.root = self._make_ca("sectrans test root CA", None, "root")
        self.intermediate = self._make_ca(
            "sectrans test intermediate CA", self.root, "intermediate"
        )
        self.untrusted_root = self._make_ca("sectrans untrusted root CA", None, "untrusted-root")
        self.ca_pem = self.root.pem
        self.ca_file = self.root.file
        self.intermediate_pem = self.intermediate.pem
        self.intermediate_file = self.intermediate.file
        self.leaves: Dict[str, Leaf] = {}
        server = dict(dns=["localhost"], ips=["127.0.0.1"])
        self._leaf("rsa2048", key=rsa.generate_private_key(65537, 2048), **server)
        # keyUsage without digitalSignature: unfit for ECDHE_RSA and TLS 1.3.
        self._leaf(
            "rsa_encipher_only",
            key=rsa.generate_private_key(65537, 2048),
            digital_signature=False,
            **server,
        )
        self._leaf("ecdsa_p256", key=ec.generate_private_key(ec.SECP256R1()), **server)
        self._leaf("ecdsa_p384", key=ec.generate_private_key(ec.SECP384R1()), **server)
        self._leaf("ed25519", key=ed25519.Ed25519PrivateKey.generate(), **server)
        day = datetime.timedelta(days=1)
        self._leaf("expired", not_before=self.now - 30 * day, not_after=self.now - day, **server)
        self._leaf(
            "not_yet_valid", not_before=self.now + day, not_after=self.now + 30 * day, **server
        )
        self._leaf("wrong_name", dns=["other.example"], ips=[])
        self._leaf("ip_only", dns=[], ips=["127.0.0.1"])
        self._leaf(
            "untrusted", issuer=self.untrusted_root, chain=[self.untrusted_root.cert], **server
        )
        self._leaf("incomplete", chain=[], **server)
        self._leaf("client", dns=["client.example"], ips=[], eku=[ExtendedKeyUsageOID.CLIENT_AUTH])

    def __getattr__(self, name):
        leaves = self.__dict__.get("leaves", {})
        if name in leaves:
            return leaves[name]
        raise AttributeError(name)

    def __getitem__(self, name) -> Leaf:
        return self.leaves[name]

    # ---- building --------------------------------------------------------

    def _write(self, filename: str, data: bytes) -> str:
        path = os.path.join(self.directory, filename)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def _make_ca(self, common_name: str, issuer: Optional[CA], filename: str) -> CA:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "sectrans tests"),
                x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            ]
        )
        builder = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(issuer.cert.subject if issuer else name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(self.now - datetime.timedelta(days=1))
            .not_valid_after(self.now + datetime.timedelta(days=3650))
            .add_extension(
                x509.BasicConstraints(ca=True, path_length=0 if issuer else None), critical=True
            )
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
        )
        if issuer:
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
                critical=False,
            )
        cert = builder.sign(issuer.key if issuer else key, hashes.SHA256())
        pem = _pem(cert)
        self._write(
            filename + ".key.pem",
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
        )
        return CA(common_name, cert, key, pem, self._write(filename + ".pem", pem))

    def _leaf(
        self,
        name: str,
        *,
        key=None,
        dns=(),
        ips=(),
        issuer: Optional[CA] = None,
        chain=None,
        not_before=None,
        not_after=None,
        eku=None,
        digital_signature=True,
    ) -> Leaf:
        key = key if key is not None else ec.generate_private_key(ec.SECP256R1())
        issuer = issuer or self.intermediate
        chain = [self.intermediate.cert] if chain is None else chain
        not_before = not_before or self.now - datetime.timedelta(hours=1)
        not_after = not_after or self.now + datetime.timedelta(days=365)
        eku = eku or [ExtendedKeyUsageOID.SERVER_AUTH]
        sans = [x509.DNSName(d) for d in dns] + [
            x509.IPAddress(ipaddress.ip_address(i)) for i in ips
        ]
        is_rsa = isinstance(key, rsa.RSAPrivateKey)
        builder = (
            x509.CertificateBuilder()
            .subject_name(
                x509.Name(
                    [
                        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "sectrans tests"),
                        x509.NameAttribute(NameOID.COMMON_NAME, "sectrans test " + name),
                    ]
                )
            )
            .issuer_name(issuer.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=digital_signature,
                    content_commitment=False,
                    key_encipherment=is_rsa,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.ExtendedKeyUsage(eku), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
                critical=False,
            )
        )
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        cert = builder.sign(issuer.key, hashes.SHA256())
        leaf_pem = _pem(cert)
        leaf_der = cert.public_bytes(serialization.Encoding.DER)
        chain_pem = b"".join(_pem(c) for c in chain)
        key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        key_pem_encrypted = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(PASSWORD),
        )
        key_pem_traditional = None
        if not isinstance(key, ed25519.Ed25519PrivateKey):
            key_pem_traditional = key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            )
        leaf = Leaf(
            name=name,
            cert=cert,
            key=key,
            leaf_pem=leaf_pem,
            leaf_der=leaf_der,
            chain_pem=chain_pem,
            cert_pem=leaf_pem + chain_pem,
            key_pem=key_pem,
            key_pem_encrypted=key_pem_encrypted,
            key_pem_traditional=key_pem_traditional,
            combined_pem=leaf_pem + chain_pem + key_pem,
            ca_pem=self.root.pem,
            sha256=hashlib.sha256(leaf_der).digest(),
            dns_names=list(dns),
            ip_addresses=list(ips),
        )
        base = "leaf-" + name.replace("_", "-")
        leaf.cert_file = self._write(base + ".chain.pem", leaf.cert_pem)
        leaf.leaf_file = self._write(base + ".pem", leaf.leaf_pem)
        leaf.chain_file = self._write(base + ".intermediates.pem", leaf.chain_pem)
        leaf.key_file = self._write(base + ".key.pem", leaf.key_pem)
        leaf.key_encrypted_file = self._write(base + ".key.enc.pem", leaf.key_pem_encrypted)
        leaf.combined_file = self._write(base + ".combined.pem", leaf.combined_pem)
        leaf.ca_file = self.root.file
        self.leaves[name] = leaf
        return leaf
