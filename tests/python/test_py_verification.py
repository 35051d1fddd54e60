"""The `sectrans` package's verification failures: each one surfaces as
SSLCertVerificationError (also a ValueError, as ssl's is) with the
library's specific status, a verify_code/verify_message, a readable
message, and the connection refused; plus the opt-outs (CERT_NONE,
check_hostname=False) and the wrap-time checks ssl makes too."""

import socket

import py_support as ps
import pytest

import sectrans

X509_V_ERR_CERT_NOT_YET_VALID = 9
X509_V_ERR_CERT_HAS_EXPIRED = 10
X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN = 19
X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY = 20

CASES = [
    # leaf, server_hostname, library status, X.509 verify code (None: any)
    ("expired", "localhost", -9814, X509_V_ERR_CERT_HAS_EXPIRED),
    ("not_yet_valid", "localhost", -9815, X509_V_ERR_CERT_NOT_YET_VALID),
    ("untrusted", "localhost", -9812, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN),
    ("incomplete", "localhost", -9813, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY),
    ("wrong_name", "localhost", -9843, None),
    ("ecdsa_p256", "other.example", -9843, None),
]


def _failed_handshake(leaf, server_hostname, ctx=None):
    """Connects a sectrans client to a Python ssl server presenting leaf;
    returns the client's exception (the server's is expected and dropped)."""
    ctx = ctx or ps.sectrans_client(leaf)
    srv = ps.ssl_echo_server(leaf)
    try:
        with pytest.raises(sectrans.SSLCertVerificationError) as info:
            ps.connect(ctx, srv.address, server_hostname=server_hostname)
    finally:
        srv.stop(expect_errors=True)
    return info.value


@pytest.mark.parametrize(
    "name, hostname, status, code", CASES, ids=[c[0] + "-" + c[1] for c in CASES]
)
def test_failure_raises_cert_verification_error(pki, name, hostname, status, code):
    error = _failed_handshake(pki.leaves[name], hostname)
    assert error.status == status == error.errno == error.args[0]
    assert error.reason == sectrans._sectrans.sectrans_status_string(status)
    assert isinstance(error, sectrans.SSLError) and isinstance(error, OSError)
    assert isinstance(error, ValueError) and isinstance(error, sectrans.CertificateError)
    if code is not None:
        assert error.verify_code == code
    assert error.verify_message
    assert "certificate verify failed" in str(error) and error.reason in str(error)


def test_cert_none_accepts_an_untrusted_server(pki):
    """check_hostname off and CERT_NONE: the handshake goes through, and
    getpeercert() is {} (not validated) while the DER is still there."""
    leaf = pki.leaves["untrusted"]
    ctx = sectrans.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = sectrans.CERT_NONE
    with ps.ssl_echo_server(leaf) as srv:
        with ps.connect(ctx, srv.address, server_hostname=None) as tls:
            assert tls.getpeercert() == {}
            assert tls.getpeercert(binary_form=True) == leaf.leaf_der
            assert tls.get_verified_chain() == []
            tls.sendall(b"ok")
            assert ps.recv_exactly(tls, 2) == b"ok"


def test_check_hostname_off_still_verifies_the_chain(pki):
    ctx = ps.sectrans_client(pki.leaves["wrong_name"])
    ctx.check_hostname = False
    assert ctx.verify_mode == sectrans.CERT_REQUIRED
    with ps.ssl_echo_server(pki.leaves["wrong_name"]) as srv:
        with ps.connect(ctx, srv.address, server_hostname="localhost") as tls:
            assert tls.getpeercert()["subjectAltName"] == (("DNS", "other.example"),)
    ctx.check_hostname = False
    error = _failed_handshake(pki.leaves["expired"], "localhost", ctx)
    assert error.status == -9814


def test_default_trust_rejects_a_private_ca(pki):
    error = _failed_handshake(
        pki.leaves["ecdsa_p256"], "localhost", sectrans.create_default_context()
    )
    assert error.status in (-9812, -9813)


def test_settings_ssl_refuses_too(pki):
    ctx = sectrans.create_default_context()
    assert ctx.check_hostname and ctx.verify_mode == sectrans.CERT_REQUIRED
    assert ctx.minimum_version in (
        sectrans.TLSVersion.MINIMUM_SUPPORTED,
        sectrans.TLSVersion.TLSv1_2,
    )
    with pytest.raises(ValueError):
        ctx.verify_mode = sectrans.CERT_NONE  # while check_hostname is on
    with pytest.raises(ValueError):
        ctx.minimum_version = sectrans.TLSVersion.TLSv1_1
    with pytest.raises(ValueError):  # a client that checks names needs one
        ctx.wrap_socket(socket.socket())
    with pytest.raises(ValueError):
        ctx.wrap_socket(socket.socket(), server_side=True, server_hostname="x")
    with pytest.raises(TypeError):
        ctx.load_verify_locations()
    with pytest.raises(FileNotFoundError):
        ctx.load_verify_locations(cafile=pki.directory + "/missing.pem")
    with pytest.raises(sectrans.SSLError) as info:
        ctx.load_verify_locations(cadata="not a certificate")
    assert info.value.status < 0 and str(info.value)
    with pytest.raises(sectrans.SSLError):
        ctx.set_ciphers("NO-SUCH-CIPHER")
    with pytest.raises(ValueError):
        ctx.set_alpn_protocols(["x" * 256])
    with pytest.raises(TypeError):
        ctx.set_alpn_protocols([1])
    server = sectrans.SSLContext(sectrans.PROTOCOL_TLS_SERVER)
    with pytest.raises(sectrans.SSLError):
        server.load_cert_chain(
            pki.leaves["ecdsa_p256"].cert_file, pki.leaves["rsa2048"].key_file
        )  # key does not match


@pytest.mark.parametrize(
    "status,cert_error",
    [
        (-9843, True),
        (-9814, True),
        (-9815, True),
        (-9812, True),
        (-9813, True),
        (-9807, True),
        # 1.1: the exception follows the library's certificate category
        # (sectrans_status_category), which adds errSecCertificateExpired and
        # errSecCertificateRevoked, the statuses a break-point handler ends
        # a session with through sectrans_set_error.
        (-67818, True),
        (-67820, True),
        # errSSLBadCert (an unusable certificate or key) and the peer's
        # alerts about our certificate stay plain SSLErrors.
        (-9808, False),
        (-9825, False),
        (-9831, False),
        (-9800, False),
    ],
)
def test_cert_verification_error_follows_the_status_category(status, cert_error):
    from sectrans._errors import error_for

    error = error_for(status)
    assert isinstance(error, sectrans.SSLCertVerificationError) == cert_error
    assert isinstance(error, sectrans.SSLError) and error.status == status
