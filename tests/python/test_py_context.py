"""SSLContext settings seen from a connection (ALPN, versions, ciphers,
trust given as cafile/capath/cadata, key passwords), the enums' numbers
against ssl's, and the Secure Transport layer (sectrans.transport.Session):
break points, copy_peer_trust, read/write/close with returned statuses."""

import socket
import ssl

import paths
import peers
import py_support as ps
import pytest

import sectrans
import sectrans.transport as transport


def test_enums_have_ssl_numbers():
    for enum_name in ("VerifyMode", "TLSVersion"):
        ours, theirs = getattr(sectrans, enum_name), getattr(ssl, enum_name)
        for member in ours:
            assert int(member) == int(getattr(theirs, member.name)), member
    for member in sectrans.Purpose:  # ssl's are ASN.1 objects: their NIDs
        assert int(member) == ssl.Purpose[member.name].nid
    assert sectrans.CERT_REQUIRED == ssl.CERT_REQUIRED == 2
    assert int(sectrans.PROTOCOL_TLS_CLIENT) == int(ssl.PROTOCOL_TLS_CLIENT)
    assert int(sectrans.PROTOCOL_TLS_SERVER) == int(ssl.PROTOCOL_TLS_SERVER)


def _serve_once(server_ctx, client_ctx, **connect_kw):
    """One connection from client_ctx to a sectrans server; returns what
    the client saw (version, cipher, alpn) after a short echo."""
    with ps.sectrans_echo_server(server_ctx) as srv:
        with ps.connect(client_ctx, srv.address, **connect_kw) as tls:
            tls.sendall(b"ping")
            assert ps.recv_exactly(tls, 4) == b"ping"
            return tls.version(), tls.cipher(), tls.selected_alpn_protocol()


@pytest.mark.parametrize("version", ["TLSv1_2", "TLSv1_3"])
def test_version_limits(leaf_ecdsa_p256, version):
    server = ps.sectrans_server(leaf_ecdsa_p256)
    server.minimum_version = server.maximum_version = getattr(sectrans.TLSVersion, version)
    client = ps.sectrans_client(leaf_ecdsa_p256)
    assert _serve_once(server, client)[0] == version.replace("_", ".")


def test_version_mismatch_fails(leaf_ecdsa_p256):
    server = ps.sectrans_server(leaf_ecdsa_p256)
    server.maximum_version = sectrans.TLSVersion.TLSv1_2
    client = ps.sectrans_client(leaf_ecdsa_p256)
    client.minimum_version = sectrans.TLSVersion.TLSv1_3
    srv = ps.sectrans_echo_server(server)
    with pytest.raises(sectrans.SSLError) as info:
        ps.connect(client, srv.address)
    assert info.value.status < 0 and not isinstance(info.value, sectrans.SSLCertVerificationError)
    assert srv.stop(expect_errors=True)


def test_alpn_and_ciphers(leaf_ecdsa_p256):
    server = ps.sectrans_server(leaf_ecdsa_p256)
    server.set_alpn_protocols(["h2", "http/1.1"])
    server.set_ciphers("ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384")
    client = ps.sectrans_client(leaf_ecdsa_p256, maximum_version=sectrans.TLSVersion.TLSv1_2)
    client.set_alpn_protocols(["http/1.1"])
    client.set_cipher_suites([0xCCA9])  # IANA number of the ChaCha20 suite
    ids = [c["id"] for c in client.get_ciphers()]
    assert 0xCCA9 in ids and 0xC02B not in ids
    version, cipher, alpn = _serve_once(server, client)
    assert (version, alpn) == ("TLSv1.2", "http/1.1")
    assert cipher == ("ECDHE-ECDSA-CHACHA20-POLY1305", "TLSv1.2", 256)


def test_trust_from_cadata_capath_and_password(pki, tmp_path, leaf_rsa2048):
    leaf = leaf_rsa2048
    server = sectrans.SSLContext(sectrans.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(leaf.cert_file, leaf.key_encrypted_file, password=lambda: pki.password)
    (tmp_path / "anchors").mkdir()
    (tmp_path / "anchors" / "root.pem").write_bytes(pki.ca_pem)
    (tmp_path / "anchors" / "notes.txt").write_text("not a certificate")
    cadata_der = sectrans.create_default_context(cadata=pki.root.der)
    cadata_pem = sectrans.create_default_context(cadata=pki.ca_pem.decode())
    capath = sectrans.create_default_context(capath=str(tmp_path / "anchors"))
    for client in (cadata_der, cadata_pem, capath):
        assert _serve_once(server, client)[0] == "TLSv1.3"
    wrong = sectrans.SSLContext(sectrans.PROTOCOL_TLS_SERVER)
    with pytest.raises(sectrans.SSLError):
        wrong.load_cert_chain(leaf.cert_file, leaf.key_encrypted_file, password=b"wrong")


def test_verify_mode_required_on_a_server(pki, leaf_ecdsa_p256, leaf_client):
    server = ps.sectrans_server(leaf_ecdsa_p256)
    server.verify_mode = sectrans.CERT_REQUIRED
    server.load_verify_locations(cafile=pki.ca_file)
    client = ps.ssl_client(leaf_ecdsa_p256, "tls12")  # no certificate to send
    srv = ps.sectrans_echo_server(server)
    with pytest.raises((ssl.SSLError, ConnectionError)):
        with ps.connect(client, srv.address) as tls:
            tls.sendall(b"x")
            tls.recv(1)
    errors = srv.stop(expect_errors=True)
    assert len(errors) == 1 and isinstance(errors[0], sectrans.SSLError)


def test_transport_session_with_break_point(pki, leaf_ecdsa_p256):
    """Secure Transport's lifecycle over a socket: the break point hands
    the trust over, the caller evaluates it, the handshake goes on."""

    def handler(conn):
        conn.sendall(ps.recv_exactly(conn, 5).upper())

    with ps.ssl_echo_server(leaf_ecdsa_p256, handler=handler) as srv:
        with socket.create_connection(srv.address, timeout=ps.TIMEOUT) as raw:
            raw.setblocking(True)  # the library's fd transport then blocks,
            peers.set_socket_timeouts(raw, ps.TIMEOUT)  # for a bounded time
            session = transport.Session(transport.CLIENT)
            session.set_peer_domain_name("localhost")
            session.set_anchors_pem(pki.ca_pem)
            session.set_session_option(transport.BREAK_ON_SERVER_AUTH, True)
            assert session.get_session_option(transport.BREAK_ON_SERVER_AUTH)
            session.set_fd(raw.fileno())
            assert session.handshake() == transport.PEER_AUTH_COMPLETED
            trust = session.copy_peer_trust()
            assert trust.certificates()[0] == leaf_ecdsa_p256.leaf_der
            assert trust.evaluate() == 0 and trust.result == 0
            assert session.handshake() == 0
            assert session.write(b"hello") == (0, 5)
            status, data = session.read(5)
            assert (status, data) == (0, b"HELLO")
            assert session.get_negotiated_cipher() > 0
            assert session.close() == 0


def test_transport_session_refuses_an_untrusted_peer_after_the_break(pki):
    leaf = pki.leaves["untrusted"]
    srv = ps.ssl_echo_server(leaf)
    with socket.create_connection(srv.address, timeout=ps.TIMEOUT) as raw:
        raw.setblocking(True)
        peers.set_socket_timeouts(raw, ps.TIMEOUT)
        session = transport.Session(transport.CLIENT)
        session.set_peer_domain_name("localhost")
        session.set_anchors_pem(pki.ca_pem)
        session.set_session_option(transport.BREAK_ON_SERVER_AUTH, True)
        session.set_fd(raw.fileno())
        assert session.handshake() == transport.PEER_AUTH_COMPLETED
        assert session.copy_peer_trust().evaluate() == -9812
        with pytest.raises(sectrans.SSLError) as info:
            session.handshake()  # not accepted: a fatal alert
        assert info.value.status == -9807
    srv.stop(expect_errors=True)


def test_transport_memory_session():
    session = transport.Session(transport.CLIENT)
    session.set_peer_domain_name("localhost")
    assert session.handshake() == transport.WOULD_BLOCK
    hello = session.take_output()
    assert hello[0] == 0x16  # a handshake record: the ClientHello
    assert session.wants() & 1  # wants to read


ABI_MISMATCH = r"""
import importlib.util, glob, os, sys, types
path = glob.glob(os.path.join(sys.argv[1], "sectrans", "_sectrans*.so"))[0]
spec = importlib.util.spec_from_file_location("sectrans._sectrans", path)
real = importlib.util.module_from_spec(spec)
spec.loader.exec_module(real)
# The module as if built against a header of a later major version.
fake = types.ModuleType("sectrans._sectrans")
fake.__dict__.update({k: getattr(real, k) for k in dir(real) if not k.startswith("__")})
fake.SECTRANS_VERSION_MAJOR = real.SECTRANS_VERSION_MAJOR + 1
sys.modules["sectrans._sectrans"] = fake
import sectrans
"""


def test_abi_mismatch_is_a_clear_import_error(build_dir):
    result = ps.run_python(
        ["-c", ABI_MISMATCH, str(build_dir) + "/python"], env=paths.python_env(), timeout=60
    )
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: sectrans: the loaded libsectrans is version"), last
    assert "cannot serve this module" in last and "built against header 2." in last


SYSTEM_TRUST_CLIENT = r"""
import socket, sys
import sectrans
ctx = sectrans.create_default_context()  # the system anchors: SSL_CERT_FILE here
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10) as raw:
    with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
        tls.sendall(b"system trust")
        print(tls.recv(100).decode())
"""


def test_default_context_uses_the_system_store(pki, leaf_ecdsa_p256):
    """create_default_context() trusts what the platform trusts: here
    SSL_CERT_FILE names the test root (the store is read once per process,
    so this runs in a child)."""
    with ps.ssl_echo_server(leaf_ecdsa_p256) as srv:
        env = paths.python_env({"SSL_CERT_FILE": pki.ca_file})
        env.pop("SSL_CERT_DIR", None)
        result = ps.run_python(["-c", SYSTEM_TRUST_CLIENT, str(srv.port)], env=env, timeout=60)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "system trust"
