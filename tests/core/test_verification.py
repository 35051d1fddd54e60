"""Peer verification, row by row (design: "Verification failures: one
mapping, tested row by row"), through real handshakes over memory pairs.

Each failing row checks three things: the client's handshake status, the
alert the server received (as its errSSLPeer* status), and what the trust
object kept (result, BoringSSL verify code, detail text, the chain as sent).
Then the verify modes, SNI on the wire, and the default anchors (the system
store, in a subprocess because it is parsed once per process).
"""

import datetime
import subprocess
import sys
import types

import helpers
import paths
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from helpers import CLIENT, WOULD_BLOCK, check, st

# BoringSSL's X509_V_ERR_* numbers (OpenSSL's numbering).
X509_V_ERR_CERT_NOT_YET_VALID = 9
X509_V_ERR_CERT_HAS_EXPIRED = 10
X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT = 18
X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN = 19
X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY = 20
X509_V_ERR_INVALID_PURPOSE = 26
X509_V_ERR_HOSTNAME_MISMATCH = 62
X509_V_ERR_IP_ADDRESS_MISMATCH = 64


# ---------------------------------------------------------------------------
# Leaves pki.py does not make


def _pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def _make_leaf(pki, name, *, dns=(), common_name=None, self_signed=False, expired=False):
    """A P-256 leaf shaped like pki.Leaf as far as helpers need it: signed by
    the test intermediate (chain: the intermediate), or self-signed (chain:
    nothing)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, common_name or "sectrans test " + name)]
    )
    issuer_name = subject if self_signed else pki.intermediate.cert.subject
    signer = key if self_signed else pki.intermediate.key
    day = datetime.timedelta(days=1)
    not_before, not_after = pki.now - day, pki.now + 30 * day
    if expired:
        not_before, not_after = pki.now - 30 * day, pki.now - day
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
    )
    if dns:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(d) for d in dns]), False
        )
    cert = builder.sign(signer, hashes.SHA256())
    chain_pem = b"" if self_signed else pki.intermediate.pem
    return types.SimpleNamespace(
        name=name,
        cert=cert,
        leaf_pem=_pem(cert),
        leaf_der=cert.public_bytes(serialization.Encoding.DER),
        cert_pem=_pem(cert) + chain_pem,
        key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        ca_pem=pki.ca_pem,
    )


@pytest.fixture(scope="module")
def extra(pki):
    return {
        # A self-signed server leaf (depth-zero self-signed), not an anchor.
        "self_signed": _make_leaf(
            pki, "self-signed", dns=["localhost"], common_name="localhost", self_signed=True
        ),
        # Two problems at once: the chain error must win.
        "expired_wrong_name": _make_leaf(
            pki, "expired-wrong-name", dns=["other.example"], expired=True
        ),
        # The name only in the subject CN: never a fallback.
        "cn_only": _make_leaf(pki, "cn-only", common_name="localhost"),
        # An IP address written as a DNS name is not an IP SAN.
        "ip_as_dns": _make_leaf(pki, "ip-as-dns", dns=["127.0.0.1"]),
        "wildcard": _make_leaf(pki, "wildcard", dns=["*.example.test"]),
    }


def _leaf(pki, extra, name):
    return extra[name] if name in extra else pki.leaves[name]


# ---------------------------------------------------------------------------
# The table

# (leaf, peer name, client status, server status, verify code, detail words,
#  certificates the server sent)
ROWS = [
    pytest.param(
        "wrong_name",
        "localhost",
        st.SECTRANS_ERR_HOST_NAME_MISMATCH,
        st.SECTRANS_ERR_PEER_BAD_CERT,
        X509_V_ERR_HOSTNAME_MISMATCH,
        "mismatch",
        2,
        id="host-name-mismatch",
    ),
    pytest.param(
        "ip_only",
        "localhost",
        st.SECTRANS_ERR_HOST_NAME_MISMATCH,
        st.SECTRANS_ERR_PEER_BAD_CERT,
        X509_V_ERR_HOSTNAME_MISMATCH,
        "mismatch",
        2,
        id="dns-name-vs-ip-only-san",
    ),
    pytest.param(
        "ecdsa_p256",
        "127.0.0.2",
        st.SECTRANS_ERR_HOST_NAME_MISMATCH,
        st.SECTRANS_ERR_PEER_BAD_CERT,
        X509_V_ERR_IP_ADDRESS_MISMATCH,
        "ip address mismatch",
        2,
        id="ip-mismatch",
    ),
    pytest.param(
        "ip_as_dns",
        "127.0.0.1",
        st.SECTRANS_ERR_HOST_NAME_MISMATCH,
        st.SECTRANS_ERR_PEER_BAD_CERT,
        X509_V_ERR_IP_ADDRESS_MISMATCH,
        "ip address mismatch",
        2,
        id="ip-vs-dns-san-spelling-an-ip",
    ),
    pytest.param(
        "wildcard",
        "a.b.example.test",
        st.SECTRANS_ERR_HOST_NAME_MISMATCH,
        st.SECTRANS_ERR_PEER_BAD_CERT,
        X509_V_ERR_HOSTNAME_MISMATCH,
        "mismatch",
        2,
        id="wildcard-covers-one-label-only",
    ),
    pytest.param(
        "wildcard",
        "example.test",
        st.SECTRANS_ERR_HOST_NAME_MISMATCH,
        st.SECTRANS_ERR_PEER_BAD_CERT,
        X509_V_ERR_HOSTNAME_MISMATCH,
        "mismatch",
        2,
        id="wildcard-needs-a-label",
    ),
    pytest.param(
        "cn_only",
        "localhost",
        st.SECTRANS_ERR_HOST_NAME_MISMATCH,
        st.SECTRANS_ERR_PEER_BAD_CERT,
        X509_V_ERR_HOSTNAME_MISMATCH,
        "mismatch",
        2,
        id="subject-cn-is-never-used",
    ),
    pytest.param(
        "expired",
        "localhost",
        st.SECTRANS_ERR_CERT_EXPIRED,
        st.SECTRANS_ERR_PEER_CERT_EXPIRED,
        X509_V_ERR_CERT_HAS_EXPIRED,
        "expired",
        2,
        id="expired",
    ),
    pytest.param(
        "not_yet_valid",
        "localhost",
        st.SECTRANS_ERR_CERT_NOT_YET_VALID,
        st.SECTRANS_ERR_PEER_BAD_CERT,
        X509_V_ERR_CERT_NOT_YET_VALID,
        "not yet valid",
        2,
        id="not-yet-valid",
    ),
    pytest.param(
        "untrusted",
        "localhost",
        st.SECTRANS_ERR_UNKNOWN_ROOT_CERT,
        st.SECTRANS_ERR_PEER_UNKNOWN_CA,
        X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
        "self signed",
        2,
        id="untrusted-root-in-chain",
    ),
    pytest.param(
        "self_signed",
        "localhost",
        st.SECTRANS_ERR_UNKNOWN_ROOT_CERT,
        st.SECTRANS_ERR_PEER_UNKNOWN_CA,
        X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
        "self signed",
        1,
        id="self-signed-leaf",
    ),
    pytest.param(
        "incomplete",
        "localhost",
        st.SECTRANS_ERR_NO_ROOT_CERT,
        st.SECTRANS_ERR_PEER_UNKNOWN_CA,
        X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
        "issuer",
        1,
        id="incomplete-chain",
    ),
    # "Anything else": a leaf for client authentication only (EKU clientAuth).
    pytest.param(
        "client",
        "client.example",
        st.SECTRANS_ERR_X_CERT_CHAIN_INVALID,
        st.SECTRANS_ERR_PEER_BAD_CERT,
        X509_V_ERR_INVALID_PURPOSE,
        "purpose",
        2,
        id="other-chain-error",
    ),
    pytest.param(
        "expired_wrong_name",
        "localhost",
        st.SECTRANS_ERR_CERT_EXPIRED,
        st.SECTRANS_ERR_PEER_CERT_EXPIRED,
        X509_V_ERR_CERT_HAS_EXPIRED,
        "expired",
        2,
        id="chain-error-wins-over-name",
    ),
]


@pytest.mark.parametrize(
    "leaf_name, peer_name, client_status, server_status, code, words, sent", ROWS
)
def test_verification_failure_row(
    pki, extra, leaf_name, peer_name, client_status, server_status, code, words, sent
):
    leaf = _leaf(pki, extra, leaf_name)
    client, server = helpers.make_pair(leaf, peer_name=peer_name)
    c, s = helpers.drive_handshake(client, server)
    assert (c, s) == (client_status, server_status), "client %s / server %s" % (
        helpers.describe(c, client),
        helpers.describe(s, server),
    )

    # The trust object keeps the chain as sent, the result, the code, the text.
    trust = check(st.sectrans_copy_peer_trust(client))
    assert trust is not None
    assert check(st.sectrans_trust_get_result(trust)) == client_status
    assert check(st.sectrans_trust_get_verify_code(trust)) == code
    detail = check(st.sectrans_trust_copy_detail(trust)).decode()
    assert words in detail.lower(), detail
    assert check(st.sectrans_trust_get_certificate_count(trust)) == sent
    first = check(st.sectrans_trust_copy_certificate(trust, 0))
    assert check(st.sectrans_certificate_copy_der(first)) == leaf.leaf_der
    # ... and the context names the failure too.
    assert detail in st.sectrans_context_error_detail(client)


def test_successful_verification_keeps_the_chain(pki):
    leaf = pki.ecdsa_p256
    client, server = helpers.make_pair(leaf)
    helpers.handshake(client, server)
    trust = check(st.sectrans_copy_peer_trust(client))
    assert check(st.sectrans_trust_get_result(trust)) == 0
    assert check(st.sectrans_trust_get_verify_code(trust)) == 0
    assert check(st.sectrans_trust_get_certificate_count(trust)) == 2
    ders = [
        check(st.sectrans_certificate_copy_der(check(st.sectrans_trust_copy_certificate(trust, i))))
        for i in range(2)
    ]
    assert ders == [leaf.leaf_der, pki.intermediate.der]


@pytest.mark.parametrize(
    "leaf_name, peer_name",
    [
        ("ip_only", "127.0.0.1"),  # IP literal against an IP SAN
        ("ecdsa_p256", "127.0.0.1"),  # ... among DNS names
        ("ecdsa_p256", "LocalHost"),  # DNS names compare without case
        ("wildcard", "a.example.test"),  # a wildcard covers one label
    ],
    ids=["ip-san", "ip-san-among-dns", "case", "wildcard"],
)
def test_names_that_verify(pki, extra, leaf_name, peer_name):
    client, server = helpers.make_pair(_leaf(pki, extra, leaf_name), peer_name=peer_name)
    helpers.handshake(client, server)
    trust = check(st.sectrans_copy_peer_trust(client))
    assert check(st.sectrans_trust_get_result(trust)) == 0


def test_no_trust_before_the_certificate_or_from_a_client_without_one(pki):
    client, server = helpers.make_pair(pki.ecdsa_p256)
    assert st.sectrans_copy_peer_trust(client) == (0, None)
    helpers.handshake(client, server)
    assert st.sectrans_copy_peer_trust(server) == (0, None)


# ---------------------------------------------------------------------------
# SNI, read off the wire (there is no server API yet to read the requested
# name, so the ClientHello itself is parsed)


def _client_hello_sni(data):
    """The server_name of a ClientHello (the client's first flight), or None
    when the extension is absent."""
    assert data[0] == 22, "not a handshake record"
    body = data[5 : 5 + int.from_bytes(data[3:5], "big")]
    assert body[0] == 1, "not a ClientHello"
    p = 4 + 2 + 32  # handshake header, version, random
    p += 1 + body[p]  # session id
    p += 2 + int.from_bytes(body[p : p + 2], "big")  # cipher suites
    p += 1 + body[p]  # compression methods
    end = p + 2 + int.from_bytes(body[p : p + 2], "big")
    p += 2
    while p < end:
        ext_type = int.from_bytes(body[p : p + 2], "big")
        ext_len = int.from_bytes(body[p + 2 : p + 4], "big")
        ext = body[p + 4 : p + 4 + ext_len]
        if ext_type == 0:  # server_name: list len, type, name len, name
            assert ext[2] == 0, "not a host_name entry"
            name_len = int.from_bytes(ext[3:5], "big")
            return ext[5 : 5 + name_len].decode()
        p += 4 + ext_len
    return None


@pytest.mark.parametrize(
    "peer_name, verify_mode, sni",
    [
        ("localhost", None, "localhost"),
        ("localhost", st.SECTRANS_VERIFY_CHAIN_ONLY, "localhost"),
        ("127.0.0.1", None, None),
        ("::1", None, None),
    ],
)
def test_sni_on_the_wire(pki, peer_name, verify_mode, sni):
    client = helpers.make_context(
        CLIENT, peer_name=peer_name, anchors=pki.ca_pem, verify_mode=verify_mode
    )
    assert st.sectrans_handshake(client) == WOULD_BLOCK
    assert _client_hello_sni(helpers.take_all(client)) == sni


# ---------------------------------------------------------------------------
# The verify modes (a FULL client without a peer name: test_misuse.py)


def test_chain_only_accepts_a_wrong_name_and_needs_no_name(pki):
    for peer_name in ("localhost", None):
        client, server = helpers.make_pair(
            pki.wrong_name,
            peer_name=peer_name,
            client=dict(verify_mode=st.SECTRANS_VERIFY_CHAIN_ONLY),
        )
        helpers.handshake(client, server)
        trust = check(st.sectrans_copy_peer_trust(client))
        assert check(st.sectrans_trust_get_result(trust)) == 0


def test_chain_only_still_rejects_an_untrusted_chain(pki):
    client, server = helpers.make_pair(
        pki.untrusted, client=dict(verify_mode=st.SECTRANS_VERIFY_CHAIN_ONLY)
    )
    assert helpers.drive_handshake(client, server) == (
        st.SECTRANS_ERR_UNKNOWN_ROOT_CERT,
        st.SECTRANS_ERR_PEER_UNKNOWN_CA,
    )


@pytest.mark.parametrize(
    "leaf_name, peer_name",
    [
        ("untrusted", "localhost"),
        ("expired", "localhost"),
        ("self_signed", "other.example"),
        ("incomplete", None),
    ],
)
def test_verify_none_accepts_anything_and_leaves_trust_unevaluated(
    pki, extra, leaf_name, peer_name
):
    leaf = _leaf(pki, extra, leaf_name)
    client, server = helpers.make_pair(
        leaf, peer_name=peer_name, client=dict(verify_mode=st.SECTRANS_VERIFY_NONE, anchors=None)
    )
    helpers.handshake(client, server)
    trust = check(st.sectrans_copy_peer_trust(client))
    assert trust is not None
    assert check(st.sectrans_trust_get_result(trust)) == st.SECTRANS_ERR_BAD_REQ
    assert check(st.sectrans_trust_get_certificate_count(trust)) >= 1
    first = check(st.sectrans_trust_copy_certificate(trust, 0))
    assert check(st.sectrans_certificate_copy_der(first)) == leaf.leaf_der
    assert helpers.transfer(client, server, b"unverified but working") == b"unverified but working"


def test_verify_mode_values(pki):
    ctx = helpers.make_context(CLIENT)
    assert st.sectrans_get_verify_mode(ctx) == (0, st.SECTRANS_VERIFY_FULL)
    for mode in (st.SECTRANS_VERIFY_CHAIN_ONLY, st.SECTRANS_VERIFY_NONE, st.SECTRANS_VERIFY_FULL):
        assert st.sectrans_set_verify_mode(ctx, mode) == 0
        assert st.sectrans_get_verify_mode(ctx) == (0, mode)


# ---------------------------------------------------------------------------
# Default anchors: the system store (SSL_CERT_FILE), in a fresh process

_DEFAULT_ANCHORS_SCRIPT = r"""
import sys
import helpers
from helpers import check, st
cert_pem = open(sys.argv[1], "rb").read()
key_pem = open(sys.argv[2], "rb").read()
identity = check(st.sectrans_identity_create_from_pem(cert_pem, key_pem, None))
# No trust store set anywhere: the client uses the default anchors.
client = helpers.make_context(helpers.CLIENT, peer_name="localhost")
server = helpers.make_context(helpers.SERVER, identity=identity)
c, s = helpers.drive_handshake(client, server)
print(c, s)
"""


def _run_with_cert_file(pki, cert_file):
    env = paths.python_env({"SSL_CERT_FILE": cert_file})
    env.pop("SSL_CERT_DIR", None)
    leaf = pki.ecdsa_p256
    proc = subprocess.run(
        [sys.executable, "-c", _DEFAULT_ANCHORS_SCRIPT, leaf.cert_file, leaf.key_file],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return tuple(int(x) for x in proc.stdout.split())


def test_default_anchors_are_the_system_store(pki):
    # SSL_CERT_FILE names the test root: the default client trusts it.
    assert _run_with_cert_file(pki, pki.ca_file) == (0, 0)
    # SSL_CERT_FILE names another root: no path to an anchor.
    assert _run_with_cert_file(pki, pki.untrusted_root.file) == (
        st.SECTRANS_ERR_NO_ROOT_CERT,
        st.SECTRANS_ERR_PEER_UNKNOWN_CA,
    )


@pytest.mark.parametrize(
    "version", [st.SECTRANS_PROTOCOL_TLS12, st.SECTRANS_PROTOCOL_TLS13], ids=["tls12", "tls13"]
)
def test_rsa_key_usage_is_enforced(pki, version):
    """An RSA server certificate whose keyUsage lacks digitalSignature
    cannot sign an ECDHE key exchange: the client refuses it (-9808) on TLS
    1.2 as on 1.3, even when chain verification is off."""
    for verify_mode in (None, st.SECTRANS_VERIFY_NONE):
        client, server = helpers.make_pair(
            pki.rsa_encipher_only, client=dict(max_version=version, verify_mode=verify_mode)
        )
        client_status, _ = helpers.drive_handshake(client, server)
        assert client_status == st.SECTRANS_ERR_BAD_CERT, helpers.describe(client_status, client)
        assert "KEY_USAGE" in st.sectrans_context_error_detail(client)
