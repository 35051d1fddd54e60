"""Client certificates against a real peer, OpenSSL 3 (docs/secure-transport.md,
"Client certificates"; header: sectrans_set_client_side_authenticate,
sectrans_get_client_certificate_state), TLS 1.2 and 1.3, over sockets on
127.0.0.1 (the fd transport).

sectrans server <- `openssl s_client` (verifying the server fully):
  - NEVER / TRY / ALWAYS against a client with and without `-cert/-key`:
    NEVER asks for nothing (state NONE, even from a client that has a
    certificate); TRY goes on without one (REQUESTED) and verifies one that
    comes (SENT, trusted); ALWAYS fails without one (-9807, the client
    reports the alert) and succeeds with one (SENT);
  - a client certificate from a CA the server does not trust is rejected
    whether the server asked with TRY or ALWAYS: -9812, state REJECTED,
    and s_client reports the unknown_ca alert.
sectrans client -> `openssl s_server -Verify 1 -verify_return_error`:
  - with the client identity: success, state SENT, s_server saw the
    certificate, data round trip;
  - without one: the server's alert surfaces as a peer error (TLS 1.2:
    handshake_failure from the handshake; TLS 1.3: certificate_required
    from the first read), state REQUESTED;
  - with a certificate the server rejects (-CAfile of another CA): the
    unknown_ca alert, state REJECTED (TLS 1.3: from the first read).

Ports are never fixed, every wait is bounded (peers.STEP_TIMEOUT), and the
`reap` fixture kills every peer process.
"""

import peers
import pytest
from auth_support import foreign_client, require_openssl
from helpers import CLIENT, SERVER, check, describe, make_context, st

VERSIONS = ("TLSv1.2", "TLSv1.3")
NEVER = st.SECTRANS_AUTHENTICATE_NEVER
TRY = st.SECTRANS_AUTHENTICATE_TRY
ALWAYS = st.SECTRANS_AUTHENTICATE_ALWAYS
AUTH_NAMES = {NEVER: "never", TRY: "try", ALWAYS: "always"}
CC_NONE = st.SECTRANS_CLIENT_CERT_STATE_NONE
CC_REQUESTED = st.SECTRANS_CLIENT_CERT_STATE_REQUESTED
CC_SENT = st.SECTRANS_CLIENT_CERT_STATE_SENT
CC_REJECTED = st.SECTRANS_CLIENT_CERT_STATE_REJECTED

# What OpenSSL prints when it receives an alert:
# "...:tlsv1 alert unknown ca:...:SSL alert number 48".
OPENSSL_ALERT = {
    "handshake_failure": r"alert handshake failure|SSL alert number 40\b",
    "certificate_required": r"alert certificate required|SSL alert number 116\b",
    "unknown_ca": r"alert unknown ca|SSL alert number 48\b",
}


def pinned(version):
    v = peers.VERSIONS[version]["sectrans"]
    return dict(min_version=v, max_version=v)


def cert_state(ctx):
    return check(
        st.sectrans_get_client_certificate_state(ctx), "sectrans_get_client_certificate_state", ctx
    )


def cert_args(leaf):
    return ["-cert", leaf.leaf_file, "-key", leaf.key_file, "-cert_chain", leaf.chain_file]


def assert_output(proc, pattern, what):
    assert proc.wait_for_output(pattern), "%s: expected /%s/ in the peer's output: %s" % (
        what,
        pattern,
        proc.describe(),
    )


# ---------------------------------------------------------------------------
# sectrans server, openssl s_client


def serve_one(pki, version, auth, client_extra, tmp_path, reap):
    """Accepts one `openssl s_client` (extra arguments client_extra) with a
    sectrans server asking for client certificates with `auth` (anchors:
    the test root). Returns (conn, client, handshake status). The client
    has sent "ping\\n" and waits."""
    require_openssl()
    listener, port = peers.listener()
    with listener:
        client = reap(
            peers.openssl_client(
                port, pki.ca_file, str(tmp_path), version=version, extra=client_extra
            )
        )
        client.send(b"ping\n")
        ctx = make_context(SERVER, identity=pki.ecdsa_p256, anchors=pki.ca_pem, **pinned(version))
        check(
            st.sectrans_set_client_side_authenticate(ctx, auth),
            "sectrans_set_client_side_authenticate",
            ctx,
        )
        conn = peers.SectransSocket(ctx, peers.accept(listener, client))
    return conn, client, conn.handshake()


def finish_served(conn, client):
    """Reads the client's line, closes (close_notify, then the socket) and
    waits for the client to exit cleanly."""
    assert conn.read_exactly(5) == b"ping\n"
    assert conn.close_tls() == 0
    conn.close()
    rc = client.wait()
    assert rc == 0, "s_client failed: " + client.describe()


@pytest.mark.parametrize("with_cert", [False, True], ids=["no-cert", "cert"])
@pytest.mark.parametrize("auth", [NEVER, TRY, ALWAYS], ids=AUTH_NAMES.get)
@pytest.mark.parametrize("version", VERSIONS)
def test_sectrans_server_client_auth_modes(pki, version, auth, with_cert, tmp_path, reap):
    extra = cert_args(pki.client) if with_cert else []
    conn, client, status = serve_one(pki, version, auth, extra, tmp_path, reap)
    ctx = conn.ctx
    if auth == ALWAYS and not with_cert:
        with conn:
            assert status == st.SECTRANS_ERR_X_CERT_CHAIN_INVALID, "%s\n%s" % (
                describe(status, ctx),
                client.describe(),
            )
            assert cert_state(ctx) == CC_REQUESTED
        alert = "handshake_failure" if version == "TLSv1.2" else "certificate_required"
        assert_output(client, OPENSSL_ALERT[alert], "s_client must report the alert")
        assert client.wait() != 0
        return

    assert status == 0, "handshake: %s\n%s" % (describe(status, ctx), client.describe())
    trust = check(st.sectrans_copy_peer_trust(ctx), "sectrans_copy_peer_trust", ctx)
    if auth == NEVER or not with_cert:
        assert cert_state(ctx) == (CC_NONE if auth == NEVER else CC_REQUESTED)
        assert trust is None
    else:
        assert cert_state(ctx) == CC_SENT
        assert check(st.sectrans_trust_get_result(trust)) == 0
        leaf = check(st.sectrans_trust_copy_certificate(trust, 0))
        assert check(st.sectrans_certificate_copy_der(leaf)) == pki.client.leaf_der
    finish_served(conn, client)


@pytest.mark.parametrize("auth", [TRY, ALWAYS], ids=AUTH_NAMES.get)
@pytest.mark.parametrize("version", VERSIONS)
def test_sectrans_server_rejects_client_cert_from_untrusted_ca(pki, version, auth, tmp_path, reap):
    foreign = foreign_client(pki)  # chain: leaf + the untrusted root
    conn, client, status = serve_one(pki, version, auth, cert_args(foreign), tmp_path, reap)
    with conn:
        ctx = conn.ctx
        assert status == st.SECTRANS_ERR_UNKNOWN_ROOT_CERT, "%s\n%s" % (
            describe(status, ctx),
            client.describe(),
        )
        assert cert_state(ctx) == CC_REJECTED
        assert st.sectrans_context_error_detail(ctx)
        trust = check(st.sectrans_copy_peer_trust(ctx), "sectrans_copy_peer_trust", ctx)
        assert check(st.sectrans_trust_get_result(trust)) == st.SECTRANS_ERR_UNKNOWN_ROOT_CERT
    assert_output(client, OPENSSL_ALERT["unknown_ca"], "s_client must report unknown_ca")
    assert client.wait() != 0


# ---------------------------------------------------------------------------
# sectrans client, openssl s_server -Verify 1


def connect_to_verifying_server(pki, version, identity, server_ca_file, tmp_path, reap):
    require_openssl()
    server = reap(
        peers.openssl_server(
            pki.ecdsa_p256,
            str(tmp_path),
            version=version,
            extra=["-Verify", "1", "-verify_return_error", "-CAfile", server_ca_file],
        )
    )
    ctx = make_context(
        CLIENT, anchors=pki.ca_pem, peer_name="localhost", identity=identity, **pinned(version)
    )
    conn = peers.SectransSocket(ctx, peers.connect(server.port))
    return conn, server, conn.handshake()


@pytest.mark.parametrize("version", VERSIONS)
def test_sectrans_client_with_identity_is_accepted(pki, version, tmp_path, reap):
    conn, server, status = connect_to_verifying_server(
        pki, version, pki.client, pki.ca_file, tmp_path, reap
    )
    with conn:
        assert status == 0, "%s\n%s" % (describe(status, conn.ctx), server.describe())
        assert cert_state(conn.ctx) == CC_SENT
        conn.write_all(b"hello\n")
        assert conn.read_exactly(6) == b"olleh\n"
        assert cert_state(conn.ctx) == CC_SENT
    # s_server names the client certificate it verified.
    assert_output(
        server,
        r"Peer certificate: .*CN\s*=\s*sectrans test client"
        r"(?:.*\n)*Verification: OK",
        "s_server must have received the client certificate",
    )


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("case", ["no-identity", "rejected"])
def test_sectrans_client_refused_by_openssl(pki, version, case, tmp_path, reap):
    """The server's verdict arrives as an alert: from the handshake in TLS
    1.2, from the first read in TLS 1.3 (the client finished first)."""
    if case == "no-identity":
        identity, ca_file = None, pki.ca_file
        expected = (
            st.SECTRANS_ERR_PEER_HANDSHAKE_FAIL
            if version == "TLSv1.2"
            else st.SECTRANS_ERR_CERTIFICATE_REQUIRED
        )
        final_state = CC_REQUESTED
    else:
        identity, ca_file = pki.client, pki.untrusted_root.file
        expected = st.SECTRANS_ERR_PEER_UNKNOWN_CA
        final_state = CC_REJECTED
    conn, server, status = connect_to_verifying_server(
        pki, version, identity, ca_file, tmp_path, reap
    )
    with conn:
        ctx = conn.ctx
        if version == "TLSv1.2":
            assert status == expected, "%s\n%s" % (describe(status, ctx), server.describe())
        else:
            assert status == 0, "%s\n%s" % (describe(status, ctx), server.describe())
            assert cert_state(ctx) == (CC_SENT if identity else CC_REQUESTED)
            with pytest.raises(peers.SectransError) as info:
                conn.read_exactly(1)
            assert info.value.status == expected, str(info.value)
        assert cert_state(ctx) == final_state
        assert st.sectrans_get_session_state(ctx) == (0, st.SECTRANS_STATE_ABORTED)
