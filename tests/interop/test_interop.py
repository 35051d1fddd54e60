"""Interop with real TLS peers: the command-line tools of OpenSSL 3, GnuTLS
and BoringSSL.

The interop matrix:

    peer      openssl (s_server -rev / s_client), gnutls (gnutls-serv --echo /
              gnutls-cli), bssl (bssl-tool server / client, Debian's
              android-boringssl)
    role      sectrans client <-> peer server, peer client <-> sectrans server
    version   TLS 1.2, TLS 1.3 (pinned on the sectrans side; the peer offers
              its default range, and its log must report the same version)
    key       the server certificate: RSA 2048, ECDSA P-256, ECDSA P-384,
              Ed25519 (pki.SERVER_KEY_TYPES; chain leaf + intermediate,
              anchored at the test root)
    io        the fd transport on a non-blocking socket (select() on
              sectrans_wants), and, for ECDSA P-256 only, on a blocking
              socket with SO_RCVTIMEO/SO_SNDTIMEO

Each success test: full verification on whichever side is the client
(peer name / host name "localhost", anchors the test root only), the
negotiated version checked on both sides, about 16 KB of application data
each way (several records), then a clean close with close_notify both
ways: a sectrans client half-closes first (sectrans_shutdown_write) and must
read the server's close_notify (-9805); a peer client closes first at end of
its input, and the sectrans server must read its close_notify (-9805,
answered with its own) and then sectrans_close returns 0.

Extra rows: sectrans at its default version range against a peer pinned to
TLS 1.2 (it must negotiate down); one negative per peer server and version:
a certificate for another name gives -9843 on the sectrans client, whose
bad_certificate alert the peer logs; bssl-tool's client aborts on a chain it
cannot verify (it prints no verdict otherwise); and a check of the harness
(a peer server that loses its port to another process is restarted
elsewhere).

bssl-tool has no echo: it prints what it receives and sends its stdin. Its
rows check the data in its output and feed the answer (the data
upper-cased) to its stdin. Its client is given -sigalgs ed25519 against an
Ed25519 server (its default list leaves Ed25519 out).

Cells not applicable (left out of the parametrization, not skipped; the
README's "Interop matrix" has the same table):

    peer  role    version   key  cell                  why not applicable
    bssl  server  1.2, 1.3  all  the peer's            bssl-tool never sends
                                 close_notify          close_notify: on ours it
                                 (sectrans reads       exits and closes the
                                 -9805)                socket. Checked instead:
                                                       it exits 0 on ours while
                                                       our socket stays open,
                                                       then sectrans reads end
                                                       of stream (-9806)
    bssl  client  1.2, 1.3  all  the peer closes       at end of stdin bssl-tool
                                 first with            only half-closes TCP (no
                                 close_notify,         close_notify). The
                                 sectrans answers      sectrans server closes
                                 (-9805, close 0)      first instead, as above
    bssl  client  1.2, 1.3  all  the peer client       bssl-tool checks no host
                                 checks the host       name (-server-name is
                                 name                  SNI only); it verifies
                                                       the chain (-root-certs)
    bssl  server  -         -    the harness row: a    bssl-tool binds port 0
                                 server that loses     itself (its port is read
                                 its port restarts     from /proc): it has no
                                                       port to lose

Every client connects to 127.0.0.1 only; ports are never fixed; every wait
is bounded (peers.STEP_TIMEOUT); peer processes are killed in the `reap`
fixture's finalizer. See tests/support/peers.py.
"""

import re

import peers
import pytest
from helpers import CLIENT, SERVER, check, describe, make_context, st
from pki import SERVER_KEY_TYPES

PEERS = ("openssl", "gnutls", "bssl")
TOOLS = {
    "openssl": ("openssl",),
    "gnutls": ("gnutls-serv", "gnutls-cli"),
    "bssl": ("bssl-tool",),
}
PEER_SERVERS = {
    "openssl": peers.openssl_server,
    "gnutls": peers.gnutls_server,
    "bssl": peers.bssl_server,
}
PEER_CLIENTS = {
    "openssl": peers.openssl_client,
    "gnutls": peers.gnutls_client,
    "bssl": peers.bssl_client,
}
# bssl-tool has no echo (it relays its stdin and stdout: the test feeds the
# answer) and never sends close_notify (see the docstring's table).
RELAYS_STDIN = ("bssl",)
SENDS_CLOSE_NOTIFY = ("openssl", "gnutls")
# Peers whose server takes a port it was offered, so can lose the race for
# it; bssl-tool binds port 0 itself.
PORT_TAKING_PEERS = ("openssl", "gnutls")
VERSIONS = ("TLSv1.2", "TLSv1.3")
CLOSED_GRACEFUL = st.SECTRANS_CLOSED_GRACEFUL


def _matrix():
    """(peer, version, key type, io mode) rows: every key type on a
    non-blocking socket, plus ECDSA P-256 on a blocking one."""
    for peer in PEERS:
        for version in VERSIONS:
            for key in SERVER_KEY_TYPES:
                yield pytest.param(
                    peer, version, key, "nonblocking", id="%s-%s-%s" % (peer, version, key)
                )
            yield pytest.param(
                peer,
                version,
                "ecdsa_p256",
                "blocking",
                id="%s-%s-ecdsa_p256-blocking" % (peer, version),
            )


MATRIX = list(_matrix())


# ---------------------------------------------------------------------------
# Fixtures and small helpers


def require_tools(peer):
    for tool in TOOLS[peer]:
        if peers.tool_path(tool) is None:
            pytest.fail(
                "%s is not installed (Debian: apt-get install -y openssl "
                "gnutls-bin android-boringssl, or scripts/setup-debian.sh "
                "test)" % tool,
                pytrace=False,
            )


def start_peer_server(peer, leaf, log_dir, version=None):
    require_tools(peer)
    return PEER_SERVERS[peer](leaf, log_dir, version=version)


def start_peer_client(peer, port, ca_file, log_dir, version=None, key=None):
    """key: the sectrans server's key type; bssl-tool's client must be told
    to accept Ed25519 signatures."""
    require_tools(peer)
    extra = ("-sigalgs", "ed25519") if peer == "bssl" and key == "ed25519" else ()
    return PEER_CLIENTS[peer](port, ca_file, log_dir, version=version, extra=extra)


def payload(tag, lines=200):
    """About 16 KB of text lines (no line is an s_server command such as
    CLOSE), unique to the test."""
    return b"".join(
        b"%04d %s the quick brown fox jumps over the lazy dog %s\n"
        % (i, tag.encode(), b"." * (i % 17))
        for i in range(lines)
    )


def server_answer(peer, data):
    """What the peer server sends back for data: s_server -rev reverses each
    line (the newline stays last); gnutls-serv --echo echoes; bssl-tool
    sends what the test writes to its stdin: data upper-cased."""
    if peer == "openssl":
        return b"".join(line[::-1] + b"\n" for line in data.split(b"\n")[:-1])
    if peer in RELAYS_STDIN:
        return data.upper()
    return data


def peer_version_pattern(peer, version):
    """What the peer prints about the negotiated version: s_server
    "Protocol version: TLSv1.3", s_client "New, TLSv1.3, Cipher is" (and
    "Protocol  : TLSv1.3" in its session block); gnutls-serv "- Version:
    TLS1.3", both GnuTLS tools "- Description: (TLS1.3-...)"; both bssl-tool
    roles "  Version: TLSv1.3" (after "Connected.")."""
    if peer == "openssl":
        v = re.escape(version)
        return r"Protocol version: %s\b|New, %s, Cipher is|Protocol\s*:\s*%s\b" % (v, v, v)
    if peer == "bssl":
        return r"(?m)^  Version: %s$" % re.escape(version)
    name = re.escape(peers.VERSIONS[version]["gnutls_name"])
    return r"- Version: %s\b|Description: \(%s[-)]" % (name, name)


# What a peer client prints once it verified the sectrans server's chain and
# name (both clients also abort on a verification failure).
PEER_CLIENT_VERIFIED = {
    "openssl": r"Verification: OK\s+Verified peername: localhost",
    "gnutls": r"- Status: The certificate is trusted\.",
    # bssl-tool prints no verdict: with -root-certs a chain it cannot verify
    # aborts the handshake (test_bssl_client_rejects_untrusted_chain), so
    # "Connected." means verified. It checks no host name.
    "bssl": r"(?m)^Connected\.$",
}


def assert_peer_says(proc, pattern, what):
    assert proc.wait_for_output(pattern), "%s: expected /%s/ in the peer's output: %s" % (
        what,
        pattern,
        proc.describe(),
    )


def version_range(version):
    """make_context's keywords pinning version (min = max); none for
    None, the default range."""
    if version is None:
        return {}
    v = peers.VERSIONS[version]["sectrans"]
    return dict(min_version=v, max_version=v)


def sectrans_client(port, pki, mode, version=None):
    """A sectrans client (the Apple way: context + setters) connected to
    127.0.0.1:port, verifying fully: anchors the test root only, peer name
    localhost. version pins min = max; None keeps the default range."""
    ctx = make_context(CLIENT, anchors=pki.ca_pem, peer_name="localhost", **version_range(version))
    assert (
        check(st.sectrans_get_verify_mode(ctx), "sectrans_get_verify_mode", ctx)
        == st.SECTRANS_VERIFY_FULL
    )
    return peers.SectransSocket(ctx, peers.connect(port), mode)


def assert_trusted(conn, chain_length):
    """The peer trust of a finished handshake: evaluated, trusted, and the
    chain as the server sent it."""
    trust = check(st.sectrans_copy_peer_trust(conn.ctx), "sectrans_copy_peer_trust", conn.ctx)
    assert trust is not None, "no peer trust after a verified handshake"
    assert check(st.sectrans_trust_get_result(trust), "sectrans_trust_get_result") == 0
    assert (
        check(
            st.sectrans_trust_get_certificate_count(trust), "sectrans_trust_get_certificate_count"
        )
        == chain_length
    )


def assert_exits_on_close_notify(proc):
    """For a peer that never sends close_notify (bssl-tool): it must exit,
    status 0, on the close_notify sectrans just sent. The socket is still
    open on our side (sectrans_shutdown_write does not shut the fd down), so
    only the close_notify can have ended its read loop."""
    rc = proc.wait()
    assert rc == 0, "the peer did not end cleanly on our close_notify: " + proc.describe()


def assert_end_of_stream(status, close_without_notify, ctx, proc):
    """How the peer's side of the stream must end: its close_notify
    (errSSLClosedGraceful), or, from a peer that never sends one, end of
    stream (errSSLClosedAbort)."""
    if close_without_notify:
        expected, what = st.SECTRANS_CLOSED_ABORT, "end of stream (errSSLClosedAbort)"
    else:
        expected, what = CLOSED_GRACEFUL, "the peer's close_notify (errSSLClosedGraceful)"
    assert status == expected, "expected %s; got %s\n%s" % (
        what,
        describe(status, ctx),
        proc.describe(),
    )


# ---------------------------------------------------------------------------
# sectrans client <-> peer server


def run_sectrans_client(peer, server, pki, leaf, mode, version, expect_version):
    """Handshake, checks, data both ways, clean close; against a running
    peer server."""
    conn = sectrans_client(server.port, pki, mode, version)
    with conn:
        status = conn.handshake()
        assert status == 0, "handshake: %s\n%s" % (describe(status, conn.ctx), server.describe())
        assert conn.negotiated_version() == peers.VERSIONS[expect_version]["sectrans"], (
            "negotiated %s, expected %s"
            % (st.sectrans_protocol_name(conn.negotiated_version()), expect_version)
        )
        assert_trusted(conn, 2 if leaf.chain_pem else 1)

        data = payload("client-%s-%s-%s" % (peer, expect_version, leaf.name))
        conn.write_all(data)
        answer = server_answer(peer, data)
        if peer in RELAYS_STDIN:
            assert server.wait_for_stdout(data), (
                "the peer server did not print the data: " + server.describe()
            )
            server.send(answer)
        got = conn.read_exactly(len(answer))
        assert got == answer, "the peer's answer differs from what was expected"

        # Clean close: our close_notify, then the peer's.
        status = conn.shutdown_write()
        assert status == 0, "shutdown_write: %s" % describe(status, conn.ctx)
        close_without_notify = peer not in SENDS_CLOSE_NOTIFY
        if close_without_notify:
            assert_exits_on_close_notify(server)
        rest, status = conn.read_to_close()
        assert rest == b"", "unexpected data after the answer: %r" % rest[:200]
        assert_end_of_stream(status, close_without_notify, conn.ctx, server)

    assert_peer_says(server, peer_version_pattern(peer, expect_version), "peer server's version")
    return conn


@pytest.mark.parametrize("peer,version,key,mode", MATRIX)
def test_sectrans_client_peer_server(peer, version, key, mode, pki, tmp_path, reap):
    leaf = pki.leaves[key]
    server = reap(start_peer_server(peer, leaf, str(tmp_path)))
    run_sectrans_client(peer, server, pki, leaf, mode, version, version)


@pytest.mark.parametrize("peer", PEERS)
def test_sectrans_client_negotiates_down_to_tls12(peer, pki, tmp_path, reap):
    """sectrans at its default range (1.2 to 1.3) against a TLS 1.2-only
    server."""
    leaf = pki.leaves["ecdsa_p256"]
    server = reap(start_peer_server(peer, leaf, str(tmp_path), version="TLSv1.2"))
    run_sectrans_client(peer, server, pki, leaf, "nonblocking", None, "TLSv1.2")


# ---------------------------------------------------------------------------
# peer client <-> sectrans server


def run_sectrans_server(peer, client, listener, leaf, mode, version, expect_version, data):
    """Accepts the peer client, handshake, checks, reads data, answers with
    it upper-cased; once the client printed the answer, its stdin is closed
    and it closes the connection: sectrans must read its close_notify
    (-9805, answering with its own), and the client exit with status 0.

    The client closes first because gnutls-cli never answers a server's
    close_notify (it closes the socket: the server would read -9806); on
    end of input both clients send close_notify. sectrans-initiated close
    is covered by the client-role tests."""
    ctx = make_context(SERVER, use_config=True, identity=leaf, **version_range(version))
    conn = peers.SectransSocket(ctx, peers.accept(listener, client), mode)
    with conn:
        status = conn.handshake()
        assert status == 0, "handshake: %s\n%s" % (describe(status, ctx), client.describe())
        assert conn.negotiated_version() == peers.VERSIONS[expect_version]["sectrans"]

        got = conn.read_exactly(len(data))
        assert got == data, "the data the peer client sent differs"
        answer = data.upper()
        conn.write_all(answer)
        assert client.wait_for_stdout(answer), (
            "the peer client did not print the answer: " + client.describe()
        )

        close_without_notify = peer not in SENDS_CLOSE_NOTIFY
        if close_without_notify:
            # bssl-tool's end of input is a bare TCP half-close: sectrans
            # closes first, and the client exits on its close_notify.
            status = conn.shutdown_write()
            assert status == 0, "shutdown_write: %s" % describe(status, ctx)
            assert_exits_on_close_notify(client)
        else:
            client.close_stdin()
        rest, status = conn.read_to_close()
        assert rest == b"", "unexpected data from the client: %r" % rest[:200]
        assert_end_of_stream(status, close_without_notify, ctx, client)
        if not close_without_notify:
            status = conn.close_tls()
            assert status == 0, "sectrans_close after the close_notify exchange: %s" % (
                describe(status, ctx)
            )

    rc = client.wait()
    assert rc == 0, "peer client failed: " + client.describe()
    assert_peer_says(client, peer_version_pattern(peer, expect_version), "peer client's version")
    assert_peer_says(
        client, PEER_CLIENT_VERIFIED[peer], "the peer client must have verified the sectrans server"
    )


@pytest.mark.parametrize("peer,version,key,mode", MATRIX)
def test_peer_client_sectrans_server(peer, version, key, mode, pki, tmp_path, reap):
    leaf = pki.leaves[key]
    listener, port = peers.listener()
    with listener:
        client = reap(start_peer_client(peer, port, pki.ca_file, str(tmp_path), key=key))
        data = payload("server-%s-%s-%s" % (peer, version, key))
        client.send(data)  # waits in the pipe until the handshake is done
        run_sectrans_server(peer, client, listener, leaf, mode, version, version, data)


@pytest.mark.parametrize("peer", PEERS)
def test_sectrans_server_negotiates_down_to_tls12(peer, pki, tmp_path, reap):
    """sectrans server at its default range, TLS 1.2-only client."""
    leaf = pki.leaves["ecdsa_p256"]
    listener, port = peers.listener()
    with listener:
        client = reap(start_peer_client(peer, port, pki.ca_file, str(tmp_path), version="TLSv1.2"))
        data = payload("server-down-%s" % peer)
        client.send(data)
        run_sectrans_server(peer, client, listener, leaf, "nonblocking", None, "TLSv1.2", data)


# ---------------------------------------------------------------------------
# Negative: the peer server's certificate names another host

BAD_CERTIFICATE_ALERT = {
    # OpenSSL: "...:sslv3 alert bad certificate:...:SSL alert number 42"
    "openssl": r"alert bad certificate|SSL alert number 42\b",
    # GnuTLS: "* Received alert '42': Certificate is bad."
    "gnutls": r"Received alert '42'|Certificate is bad",
    # BoringSSL: "Error while connecting: SSLV3_ALERT_BAD_CERTIFICATE"
    "bssl": r"SSLV3_ALERT_BAD_CERTIFICATE|SSL alert number 42\b",
}


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("peer", PEERS)
def test_sectrans_client_rejects_wrong_name(peer, version, pki, tmp_path, reap):
    leaf = pki.leaves["wrong_name"]  # SAN DNS:other.example only
    server = reap(start_peer_server(peer, leaf, str(tmp_path)))
    conn = sectrans_client(server.port, pki, "nonblocking", version)
    with conn:
        status = conn.handshake()
        assert status == st.SECTRANS_ERR_HOST_NAME_MISMATCH, (
            "handshake: %s, expected errSSLHostNameMismatch (-9843)\n%s"
            % (describe(status, conn.ctx), server.describe())
        )
        detail = conn.error_detail()
        assert detail, "no error detail for the failed verification"
        trust = check(st.sectrans_copy_peer_trust(conn.ctx), "sectrans_copy_peer_trust")
        assert trust is not None
        assert (
            check(st.sectrans_trust_get_result(trust), "sectrans_trust_get_result")
            == st.SECTRANS_ERR_HOST_NAME_MISMATCH
        )
        # The failure is terminal: a later call returns the same status.
        assert st.sectrans_handshake(conn.ctx) == st.SECTRANS_ERR_HOST_NAME_MISMATCH
    assert_peer_says(
        server, BAD_CERTIFICATE_ALERT[peer], "the peer server must see a bad_certificate alert"
    )


# ---------------------------------------------------------------------------
# The harness itself: a peer server that loses the race for its port is
# restarted on another one (tests run in parallel; ports are never fixed).


@pytest.mark.parametrize("peer", PORT_TAKING_PEERS)
def test_peer_server_retries_taken_port(peer, pki, tmp_path, reap, monkeypatch):
    busy, busy_port = peers.listener()
    with busy:
        real_free_port = peers.free_port
        offered = []

        def free_port():
            offered.append(busy_port if len(offered) < 2 else real_free_port())
            return offered[-1]

        monkeypatch.setattr(peers, "free_port", free_port)
        server = reap(start_peer_server(peer, pki.leaves["ecdsa_p256"], str(tmp_path)))
        assert offered[:2] == [busy_port, busy_port] and len(offered) == 3
        assert server.port == offered[2] != busy_port and server.running()
    monkeypatch.undo()
    run_sectrans_client(
        peer, server, pki, pki.leaves["ecdsa_p256"], "nonblocking", "TLSv1.3", "TLSv1.3"
    )


# ---------------------------------------------------------------------------
# bssl-tool's client prints no verification verdict: a chain it cannot
# verify must abort its handshake (what PEER_CLIENT_VERIFIED relies on).


@pytest.mark.parametrize("version", VERSIONS)
def test_bssl_client_rejects_untrusted_chain(version, pki, tmp_path, reap):
    listener, port = peers.listener()
    with listener:
        client = reap(start_peer_client("bssl", port, pki.ca_file, str(tmp_path)))
        ctx = make_context(
            SERVER, use_config=True, identity=pki.leaves["untrusted"], **version_range(version)
        )
        with peers.SectransSocket(ctx, peers.accept(listener, client)) as conn:
            status = conn.handshake()
            assert status == st.SECTRANS_ERR_PEER_UNKNOWN_CA, (
                "handshake: %s, expected errSSLPeerUnknownCA (-9831)\n%s"
                % (describe(status, ctx), client.describe())
            )
    assert client.wait() != 0, "bssl-tool client accepted an untrusted chain: " + client.describe()
    assert_peer_says(client, r"CERTIFICATE_VERIFY_FAILED", "bssl-tool client's verdict")
