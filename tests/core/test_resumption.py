"""Client session resumption (docs/secure-transport.md, "Resumption";
docs/architecture.md, "The session cache"; header: sectrans_set_peer_id,
sectrans_get_session_resumed, sectrans_set_session_tickets_enabled,
ENABLE_SESSION_TICKETS), TLS 1.2 and 1.3.

Memory pairs use Apple-way server contexts (sectrans_context_create), which
share the process-wide default server config, hence its ticket keys and
session cache; clients share the process-wide session cache. Every test
uses fresh peer IDs, so tests never see each other's sessions. A first
connection reads application data before it ends, because TLS 1.3 tickets
arrive after the handshake (design, BoringSSL facts).

  - the second connection with the same peer ID resumes (both sides say so),
    in memory and against `openssl s_server`;
  - TLS 1.3 tickets arrive after the handshake: a first connection that
    never reads leaves nothing to resume;
  - TLS 1.3 tickets are used once: BoringSSL's server issues two per
    connection, so after one full handshake two later connections resume,
    each offering a different ticket, and the next one makes a full
    handshake and offers none;
  - server ticket keys (and the session-ID cache) belong to a config:
    contexts from one config resume each other's sessions, another
    config's server does not;
  - no peer ID: never resumed, nothing offered;
  - another trust store, verify mode or peer name, or a break option, is a
    different cache key: not resumed (while the original settings still
    resume afterwards: the session was there);
  - ENABLE_SESSION_TICKETS off (the default) with TLS 1.2 resumes through
    the session ID (no session_ticket extension in the ClientHello); on,
    it offers the ticket; in TLS 1.3 the option changes nothing;
  - a resumed session does not stop at BreakOnServerAuth (no certificate
    arrives);
  - a resumed session has no evaluated trust: sectrans_copy_peer_trust
    builds an unevaluated one (-909) from the session's chain, which the
    caller can evaluate.
"""

import peers
import pytest
from auth_support import (
    EXT_PRE_SHARED_KEY,
    EXT_SESSION_TICKET,
    client_hello,
    peer_id,
    require_openssl,
)
from helpers import (
    CLIENT,
    WOULD_BLOCK,
    check,
    describe,
    drive_handshake,
    make_context,
    make_identity,
    make_pair,
    make_trust_store,
    st,
    take_all,
    transfer,
)

TLS12 = st.SECTRANS_PROTOCOL_TLS12
TLS13 = st.SECTRANS_PROTOCOL_TLS13


def resumed(ctx):
    return check(st.sectrans_get_session_resumed(ctx), "sectrans_get_session_resumed", ctx)


class Connection:
    """One finished memory connection: client, server, the client's
    ClientHello as parsed off the wire, and whether each side resumed."""

    def __init__(self, client, server, hello):
        self.client, self.server, self.hello = client, server, hello
        self.resumed = resumed(client)
        assert resumed(server) == self.resumed, "the two sides disagree on resumption"


def connect(pki, version, pid=None, *, read=True, setup=None, leaf=None):
    """A memory connection to an Apple-way server. pid: the client's peer ID
    (None: not set). setup(client) runs before the handshake. read: the
    server sends data and the client reads it (which processes TLS 1.3
    tickets)."""
    client, server = make_pair(
        leaf or pki.ecdsa_p256, client=dict(min_version=version, max_version=version)
    )
    if pid is not None:
        check(st.sectrans_set_peer_id(client, pid), "sectrans_set_peer_id", client)
    if setup is not None:
        setup(client)
    assert st.sectrans_handshake(client) == WOULD_BLOCK
    first_flight = take_all(client)
    hello = client_hello(first_flight)
    check(st.sectrans_feed_input(server, first_flight), "feed", server)
    c, s = drive_handshake(client, server)
    assert (c, s) == (0, 0), "client %s / server %s" % (describe(c, client), describe(s, server))
    if read:
        transfer(server, client, b"data that follows the session tickets")
    return Connection(client, server, hello)


def psk_identities(hello):
    """The ticket identities a TLS 1.3 ClientHello offers (pre_shared_key)."""
    body = hello.extensions.get(EXT_PRE_SHARED_KEY)
    if body is None:
        return []
    end = 2 + int.from_bytes(body[:2], "big")
    p, out = 2, []
    while p < end:
        n = int.from_bytes(body[p : p + 2], "big")
        out.append(body[p + 2 : p + 2 + n])
        p += 2 + n + 4  # identity, obfuscated_ticket_age
    return out


# ---------------------------------------------------------------------------


def test_second_connection_resumes(pki, version):
    pid = peer_id()
    first = connect(pki, version, pid)
    assert not first.resumed
    assert check(st.sectrans_get_peer_id(first.client)) == pid
    second = connect(pki, version, pid)
    assert second.resumed


def _connect_to_config(pki, config, pid, version):
    """A memory connection from a fresh client (peer ID pid) to a server
    context made from config; returns whether it resumed."""
    client = make_context(
        CLIENT, anchors=pki.ca_pem, peer_name="localhost", min_version=version, max_version=version
    )
    check(st.sectrans_set_peer_id(client, pid), "sectrans_set_peer_id", client)
    server = check(st.sectrans_context_create_with_config(config))
    c, s = drive_handshake(client, server)
    assert (c, s) == (0, 0), "client %s / server %s" % (describe(c, client), describe(s, server))
    transfer(server, client, b"data that follows the session tickets")
    return resumed(client)


def test_ticket_keys_belong_to_the_config(pki, version):
    """Contexts made from one config share its ticket keys (and session
    cache); another config's server cannot resume them."""
    configs = []
    for _ in range(2):
        config = check(st.sectrans_config_create(st.SECTRANS_SERVER))
        check(st.sectrans_config_set_identity(config, make_identity(pki.ecdsa_p256)))
        configs.append(config)
    same = peer_id()
    assert not _connect_to_config(pki, configs[0], same, version)
    assert _connect_to_config(pki, configs[0], same, version)
    other = peer_id()
    assert not _connect_to_config(pki, configs[0], other, version)
    assert not _connect_to_config(pki, configs[1], other, version)


@pytest.mark.parametrize("version", ["TLSv1.2", "TLSv1.3"])
def test_resumes_against_openssl(pki, version, tmp_path, reap):
    require_openssl()
    server = reap(peers.openssl_server(pki.ecdsa_p256, str(tmp_path), version=version))
    pid = peer_id()
    outcomes = []
    for _ in range(2):
        ctx = make_context(CLIENT, anchors=pki.ca_pem, peer_name="localhost")
        check(st.sectrans_set_peer_id(ctx, pid), "sectrans_set_peer_id", ctx)
        with peers.SectransSocket(ctx, peers.connect(server.port)) as conn:
            status = conn.handshake()
            assert status == 0, "%s\n%s" % (describe(status, ctx), server.describe())
            conn.write_all(b"resume\n")
            assert conn.read_exactly(7) == b"emuser\n"
            outcomes.append(resumed(ctx))
            assert conn.close_tls() == 0
    assert outcomes == [0, 1], server.describe()


def test_tls13_tickets_arrive_after_the_handshake(pki):
    pid = peer_id()
    connect(pki, TLS13, pid, read=False)
    second = connect(pki, TLS13, pid)
    assert psk_identities(second.hello) == []
    assert not second.resumed


def test_tls13_tickets_are_single_use(pki):
    pid = peer_id()
    first = connect(pki, TLS13, pid)  # reads: both tickets are cached
    assert psk_identities(first.hello) == []
    later = [connect(pki, TLS13, pid, read=False) for _ in range(3)]
    offered = [psk_identities(c.hello) for c in later]
    assert [c.resumed for c in later] == [1, 1, 0]
    assert len(offered[0]) == len(offered[1]) == 1
    assert offered[0] != offered[1], "a ticket was offered twice"
    assert offered[2] == []


def test_no_peer_id_never_resumes(pki, version):
    connect(pki, version)
    second = connect(pki, version)
    assert not second.resumed
    assert psk_identities(second.hello) == []
    assert check(st.sectrans_get_peer_id(second.client)) == b""


def _other_store(pki):
    return make_trust_store([pki.ca_pem, pki.untrusted_root.pem])


CHANGES = {
    "trust-store": lambda pki, c: check(
        st.sectrans_set_trust_store(c, _other_store(pki)), "set_trust_store", c
    ),
    "verify-mode": lambda pki, c: check(
        st.sectrans_set_verify_mode(c, st.SECTRANS_VERIFY_CHAIN_ONLY), "set_verify_mode", c
    ),
    "peer-name": lambda pki, c: check(
        st.sectrans_set_peer_domain_name(c, "127.0.0.1"), "set_peer_domain_name", c
    ),
    "break-option": lambda pki, c: check(
        st.sectrans_set_session_option(c, st.SECTRANS_OPTION_BREAK_ON_SERVER_AUTH, 1),
        "set_session_option",
        c,
    ),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_other_verification_settings_do_not_resume(pki, version, change):
    pid = peer_id()
    connect(pki, version, pid)
    client, server = make_pair(
        pki.ecdsa_p256, client=dict(min_version=version, max_version=version)
    )
    check(st.sectrans_set_peer_id(client, pid), "sectrans_set_peer_id", client)
    CHANGES[change](pki, client)
    c, s = drive_handshake(client, server)
    if change == "break-option":
        # A resumed session would not stop here: the full handshake does.
        assert c == st.SECTRANS_PEER_AUTH_COMPLETED, describe(c, client)
        trust = check(st.sectrans_copy_peer_trust(client))
        assert check(st.sectrans_trust_evaluate(trust)) == 0
        c, s = drive_handshake(client, server)
    assert (c, s) == (0, 0), "client %s / server %s" % (describe(c, client), describe(s, server))
    assert not resumed(client) and not resumed(server)
    # The original settings still find the session.
    assert connect(pki, version, pid).resumed


@pytest.mark.parametrize(
    "version, tickets",
    [(TLS12, 0), (TLS12, 1), (TLS13, 0)],
    ids=["tls12-session-id", "tls12-ticket", "tls13-no-effect"],
)
def test_session_tickets_option(pki, version, tickets):
    pid = peer_id()

    def setup(client):
        check(st.sectrans_set_session_tickets_enabled(client, tickets), "tickets", client)
        assert (
            check(st.sectrans_get_session_option(client, st.SECTRANS_OPTION_ENABLE_SESSION_TICKETS))
            == tickets
        )

    first = connect(pki, version, pid, setup=setup)
    second = connect(pki, version, pid, setup=setup)
    assert second.resumed
    if version == TLS13:
        assert len(psk_identities(second.hello)) == 1
    elif tickets:
        assert first.hello.extensions.get(EXT_SESSION_TICKET) == b""  # asks for one
        assert len(second.hello.extensions.get(EXT_SESSION_TICKET, b"")) > 0
    else:
        assert EXT_SESSION_TICKET not in first.hello.extensions
        assert EXT_SESSION_TICKET not in second.hello.extensions
        assert len(second.hello.session_id) > 0


def test_tickets_off_is_the_default(pki):
    client, _ = make_pair(pki.ecdsa_p256)
    assert (
        check(st.sectrans_get_session_option(client, st.SECTRANS_OPTION_ENABLE_SESSION_TICKETS))
        == 0
    )


def test_resumed_session_has_an_unevaluated_trust(pki, version):
    pid = peer_id()
    connect(pki, version, pid)
    second = connect(pki, version, pid)
    assert second.resumed
    trust = check(st.sectrans_copy_peer_trust(second.client))
    assert trust is not None, "no peer trust on a resumed session"
    assert check(st.sectrans_trust_get_result(trust)) == st.SECTRANS_ERR_BAD_REQ
    count = check(st.sectrans_trust_get_certificate_count(trust))
    ders = [
        check(st.sectrans_certificate_copy_der(check(st.sectrans_trust_copy_certificate(trust, i))))
        for i in range(count)
    ]
    assert ders == [pki.ecdsa_p256.leaf_der, pki.intermediate.der]
    # It carries the context's anchors and peer name: it can be evaluated.
    assert check(st.sectrans_trust_evaluate(trust)) == 0


def test_break_option_on_a_resumed_session_does_not_stop(pki, version):
    """No certificate arrives in a resumed handshake, so BreakOnServerAuth
    has nothing to stop on (the same option on both connections keeps the
    cache key equal)."""
    pid = peer_id()

    def with_break(client):
        check(
            st.sectrans_set_session_option(client, st.SECTRANS_OPTION_BREAK_ON_SERVER_AUTH, 1),
            "set_session_option",
            client,
        )

    client, server = make_pair(
        pki.ecdsa_p256, client=dict(min_version=version, max_version=version)
    )
    check(st.sectrans_set_peer_id(client, pid), "sectrans_set_peer_id", client)
    with_break(client)
    assert drive_handshake(client, server) == (st.SECTRANS_PEER_AUTH_COMPLETED, WOULD_BLOCK)
    check(st.sectrans_accept_peer_trust(client), "sectrans_accept_peer_trust", client)
    assert drive_handshake(client, server) == (0, 0)
    transfer(server, client, b"tickets first")

    second = connect(pki, version, pid, setup=with_break)  # asserts (0, 0)
    assert second.resumed
    trust = check(st.sectrans_copy_peer_trust(second.client))
    assert check(st.sectrans_trust_get_result(trust)) == st.SECTRANS_ERR_BAD_REQ
