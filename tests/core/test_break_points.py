"""Handshake break points (docs/secure-transport.md, "Session options and
break points"), over real handshakes on the memory transport, TLS 1.2 and 1.3.

BreakOnServerAuth (client) and BreakOnClientAuth (server, client auth TRY
or ALWAYS, client certificate sent):
  - the handshake stops with -9841, the state stays HANDSHAKE, and
    sectrans_copy_peer_trust gives the peer's chain unevaluated (-909);
  - the verdict rule: a successful evaluation or sectrans_accept_peer_trust
    lets the next handshake call complete; a failed evaluation (wrong
    anchors) or no verdict at all makes it send a fatal alert and return
    -9807, and the peer reports that alert;
  - the policy of the trust can be overridden at the break (SecTrust style);
  - libgit2 style: after the verdict, sectrans_write or sectrans_read
    finishes the handshake implicitly; curl style: -9841 comes out of
    sectrans_read or sectrans_write when they drive the handshake.
BreakOnClientAuth with no client certificate does not stop (documented
deviation: BoringSSL has no verify step then).
BreakOnCertRequested (client without identity): -9842, client certificate
state REQUESTED, the server's distinguished names readable (in the order
Secure Transport gives them: each added name is prepended); an identity set
at the break is sent (state SENT); none gives an empty Certificate, which a
TRY server accepts and an ALWAYS server refuses. No break when an identity
is already set or no certificate is requested.
After -9842 and -9851 too, a data call can finish the handshake.
BreakOnClientHello (server): -9851, the requested name is the client's SNI,
the identity chosen at the break is the one the client receives; without
SNI (IP literal) the requested name is -50.
A client with BreakOnServerAuth needs no peer name (it verifies itself).
sectrans_accept_peer_trust without a pending -9841 is -909, and so is
sectrans_set_peer_id at -9841 (it is allowed at -9842).
"""

import pytest
from auth_support import name_der, peer_id
from helpers import (
    WOULD_BLOCK,
    check,
    describe,
    drive_handshake,
    handshake,
    make_identity,
    make_pair,
    make_trust_store,
    pump,
    read_all,
    st,
    state,
    write_all,
)

PEER_AUTH = st.SECTRANS_PEER_AUTH_COMPLETED
CERT_REQUESTED = st.SECTRANS_CLIENT_CERT_REQUESTED
CLIENT_HELLO = st.SECTRANS_CLIENT_HELLO_RECEIVED
HANDSHAKE = st.SECTRANS_STATE_HANDSHAKE
CONNECTED = st.SECTRANS_STATE_CONNECTED
ABORTED = st.SECTRANS_STATE_ABORTED
NOT_EVALUATED = st.SECTRANS_ERR_BAD_REQ
CHAIN_INVALID = st.SECTRANS_ERR_X_CERT_CHAIN_INVALID
# The alert the refusal sends (certificate_unknown), as the peer reports it.
PEER_CERT_UNKNOWN = st.SECTRANS_ERR_PEER_CERT_UNKNOWN

TRY = st.SECTRANS_AUTHENTICATE_TRY
ALWAYS = st.SECTRANS_AUTHENTICATE_ALWAYS
CC_NONE = st.SECTRANS_CLIENT_CERT_STATE_NONE
CC_REQUESTED = st.SECTRANS_CLIENT_CERT_STATE_REQUESTED
CC_SENT = st.SECTRANS_CLIENT_CERT_STATE_SENT

TLS12 = st.SECTRANS_PROTOCOL_TLS12
TLS13 = st.SECTRANS_PROTOCOL_TLS13
DATA = b"application data after the break"


def pinned(version):
    return dict(min_version=version, max_version=version)


def cert_state(ctx):
    return check(
        st.sectrans_get_client_certificate_state(ctx), "sectrans_get_client_certificate_state", ctx
    )


def set_option(ctx, option):
    check(st.sectrans_set_session_option(ctx, option, 1), "sectrans_set_session_option", ctx)


def peer_trust(ctx):
    trust = check(st.sectrans_copy_peer_trust(ctx), "sectrans_copy_peer_trust", ctx)
    assert trust is not None, "no peer trust at the break"
    return trust


def trust_result(trust):
    return check(st.sectrans_trust_get_result(trust), "sectrans_trust_get_result")


def chain_ders(trust):
    count = check(st.sectrans_trust_get_certificate_count(trust))
    return [
        check(st.sectrans_certificate_copy_der(check(st.sectrans_trust_copy_certificate(trust, i))))
        for i in range(count)
    ]


def evaluate(trust):
    return check(st.sectrans_trust_evaluate(trust), "sectrans_trust_evaluate")


def read_peer_error(ctx):
    """The first read on ctx: returns its status (the peer's alert in TLS 1.3,
    where the client finishes before the server judges it)."""
    data, status = read_all(ctx)
    assert data == b""
    return status


def expect_statuses(got, expected, client, server):
    assert got == expected, "client %s / server %s; expected %s" % (
        describe(got[0], client),
        describe(got[1], server),
        expected,
    )


# ---------------------------------------------------------------------------
# Pairs stopped at a -9841 break


def server_auth_break(pki, version, leaf=None, peer_name="localhost"):
    """A client stopped at BreakOnServerAuth; returns (client, server)."""
    client, server = make_pair(leaf or pki.ecdsa_p256, peer_name=peer_name, client=pinned(version))
    set_option(client, st.SECTRANS_OPTION_BREAK_ON_SERVER_AUTH)
    got = drive_handshake(client, server)
    expect_statuses(got, (PEER_AUTH, WOULD_BLOCK), client, server)
    return client, server


def client_auth_break(pki, version, auth=ALWAYS):
    """A server (client auth `auth`, anchors the test root) stopped at
    BreakOnClientAuth by a client presenting pki.client."""
    client, server = make_pair(pki.ecdsa_p256, client_leaf=pki.client, client=pinned(version))
    check(st.sectrans_set_client_side_authenticate(server, auth), "client auth", server)
    set_option(server, st.SECTRANS_OPTION_BREAK_ON_CLIENT_AUTH)
    got = drive_handshake(client, server)
    # TLS 1.3: the client is done before the server looks at its certificate.
    client_status = 0 if version == TLS13 else WOULD_BLOCK
    expect_statuses(got, (client_status, PEER_AUTH), client, server)
    return client, server


def give_verdict(ctx, verdict, pki):
    """At a -9841 break: 'evaluated' (successfully), 'failed' (evaluated
    against anchors that do not hold the chain's root), 'accepted'
    (sectrans_accept_peer_trust without evaluating), 'none'."""
    trust = peer_trust(ctx)
    if verdict == "evaluated":
        assert evaluate(trust) == 0
        assert trust_result(trust) == 0
    elif verdict == "failed":
        check(
            st.sectrans_trust_set_anchors(trust, make_trust_store(pki.untrusted_root.pem)),
            "sectrans_trust_set_anchors",
        )
        assert evaluate(trust) == st.SECTRANS_ERR_NO_ROOT_CERT
    elif verdict == "accepted":
        check(st.sectrans_accept_peer_trust(ctx), "sectrans_accept_peer_trust", ctx)
        assert trust_result(trust) == NOT_EVALUATED
    else:
        assert verdict == "none"


VERDICTS = ["evaluated", "accepted", "failed", "none"]
PROCEEDS = {"evaluated": True, "accepted": True, "failed": False, "none": False}


# ---------------------------------------------------------------------------
# BreakOnServerAuth (client)


def test_break_on_server_auth_stops_with_the_unevaluated_chain(pki, version):
    client, server = server_auth_break(pki, version)
    assert state(client) == HANDSHAKE
    trust = peer_trust(client)
    assert trust_result(trust) == NOT_EVALUATED
    assert chain_ders(trust) == [pki.ecdsa_p256.leaf_der, pki.intermediate.der]
    # Only BreakOnCertRequested allows a new peer ID mid-handshake.
    assert st.sectrans_set_peer_id(client, peer_id()) == st.SECTRANS_ERR_BAD_REQ


@pytest.mark.parametrize("verdict", VERDICTS)
def test_break_on_server_auth_verdict(pki, version, verdict):
    client, server = server_auth_break(pki, version)
    give_verdict(client, verdict, pki)
    got = drive_handshake(client, server)
    if PROCEEDS[verdict]:
        expect_statuses(got, (0, 0), client, server)
        assert state(client) == CONNECTED
        return
    # No verdict after the break: a fatal alert, -9807, and the peer sees it.
    expect_statuses(got, (CHAIN_INVALID, PEER_CERT_UNKNOWN), client, server)
    assert state(client) == ABORTED
    assert st.sectrans_context_error_detail(client)
    assert st.sectrans_handshake(client) == CHAIN_INVALID


def test_break_on_server_auth_needs_no_peer_name(pki, version):
    """The caller verifies at the break, with its own policy (curl did so
    for IP literals), so -9848 is not raised without a peer name."""
    client, server = server_auth_break(pki, version, peer_name=None)
    trust = peer_trust(client)
    check(st.sectrans_trust_set_policy(trust, 1, "localhost"), "set_policy")
    assert evaluate(trust) == 0
    handshake(client, server)


def test_policy_overridden_at_the_break(pki, version):
    """SecTrustSetPolicies at the break: the trust carries the context's
    peer name, and a caller that knows better can change it."""
    client, server = server_auth_break(pki, version, leaf=pki.wrong_name)
    trust = peer_trust(client)
    assert evaluate(trust) == st.SECTRANS_ERR_HOST_NAME_MISMATCH
    check(st.sectrans_trust_set_policy(trust, 1, "other.example"), "set_policy")
    assert evaluate(trust) == 0
    handshake(client, server)


# ---------------------------------------------------------------------------
# BreakOnClientAuth (server)


@pytest.mark.parametrize("auth", [TRY, ALWAYS], ids=["try", "always"])
def test_break_on_client_auth_stops_with_the_unevaluated_chain(pki, version, auth):
    client, server = client_auth_break(pki, version, auth)
    assert state(server) == HANDSHAKE
    assert cert_state(server) == CC_SENT
    trust = peer_trust(server)
    assert trust_result(trust) == NOT_EVALUATED
    assert chain_ders(trust) == [pki.client.leaf_der, pki.intermediate.der]
    # The trust has the server's anchors and the client purpose.
    assert evaluate(trust) == 0


@pytest.mark.parametrize("verdict", VERDICTS)
@pytest.mark.parametrize("auth", [TRY, ALWAYS], ids=["try", "always"])
def test_break_on_client_auth_verdict(pki, version, auth, verdict):
    client, server = client_auth_break(pki, version, auth)
    give_verdict(server, verdict, pki)
    got = drive_handshake(client, server)
    if PROCEEDS[verdict]:
        expect_statuses(got, (0, 0), client, server)
        assert state(server) == CONNECTED
        assert cert_state(client) == CC_SENT
        return
    if version == TLS12:
        expect_statuses(got, (PEER_CERT_UNKNOWN, CHAIN_INVALID), client, server)
    else:
        expect_statuses(got, (0, CHAIN_INVALID), client, server)
        assert read_peer_error(client) == PEER_CERT_UNKNOWN
    assert state(server) == ABORTED


@pytest.mark.parametrize("auth", [TRY, ALWAYS], ids=["try", "always"])
def test_break_on_client_auth_without_client_certificate_does_not_stop(pki, version, auth):
    """Documented deviation: BoringSSL runs no verify step for a client that
    sent no certificate, so there is nothing to break on."""
    client, server = make_pair(
        pki.ecdsa_p256, client=pinned(version), server=dict(anchors=pki.ca_pem)
    )
    check(st.sectrans_set_client_side_authenticate(server, auth), "client auth", server)
    set_option(server, st.SECTRANS_OPTION_BREAK_ON_CLIENT_AUTH)
    got = drive_handshake(client, server)
    assert st.sectrans_copy_peer_trust(server) == (0, None)
    assert cert_state(server) == CC_REQUESTED
    if auth == TRY:
        expect_statuses(got, (0, 0), client, server)
    else:
        assert got[1] == CHAIN_INVALID, describe(got[1], server)


# ---------------------------------------------------------------------------
# Implicit completion (libgit2: one handshake call, evaluate, then I/O)


def finish_by_write(ctx, peer):
    """sectrans_write on ctx until it takes DATA (would-block with 0
    processed means the handshake is still running: offer it again), while
    the peer handshakes; the peer must then read DATA."""
    taken = False
    got = b""
    for _ in range(20):
        if not taken:
            status, processed = st.sectrans_write(ctx, DATA)
            check(status, "sectrans_write", ctx, expected=(0, WOULD_BLOCK))
            assert processed in (0, len(DATA))
            taken = processed == len(DATA)
        if st.sectrans_handshake(peer) == 0:
            data, status = read_all(peer)
            check(status, "sectrans_read", peer, expected=(0, WOULD_BLOCK))
            got += data
        if got == DATA:
            return
        pump(ctx, peer)
    raise AssertionError(
        "sectrans_write did not finish the handshake: took %s, peer read %r" % (taken, got)
    )


def finish_by_read(ctx, peer):
    """sectrans_read on ctx while the peer handshakes and then writes DATA."""
    written = False
    got = b""
    for _ in range(20):
        data, status = read_all(ctx)
        check(status, "sectrans_read", ctx, expected=(0, WOULD_BLOCK))
        got += data
        if got == DATA:
            return
        if not written and st.sectrans_handshake(peer) == 0:
            write_all(peer, DATA)
            written = True
        pump(ctx, peer)
    raise AssertionError("sectrans_read did not finish the handshake: got %r" % got)


FINISH = {"write": finish_by_write, "read": finish_by_read}


@pytest.mark.parametrize("how", sorted(FINISH))
def test_server_auth_break_finished_by_data_call(pki, version, how):
    client, server = server_auth_break(pki, version)
    assert evaluate(peer_trust(client)) == 0
    FINISH[how](client, server)
    assert state(client) == CONNECTED


@pytest.mark.parametrize("how", sorted(FINISH))
def test_client_auth_break_finished_by_data_call(pki, version, how):
    client, server = client_auth_break(pki, version)
    check(st.sectrans_accept_peer_trust(server), "sectrans_accept_peer_trust", server)
    FINISH[how](server, client)
    assert state(server) == CONNECTED


@pytest.mark.parametrize("how", sorted(FINISH))
def test_break_comes_out_of_data_calls(pki, version, how):
    """curl and Rust meet -9841 in read or write when those drive the
    handshake (after a first handshake call sent the ClientHello)."""
    client, server = make_pair(pki.ecdsa_p256, client=pinned(version))
    set_option(client, st.SECTRANS_OPTION_BREAK_ON_SERVER_AUTH)
    assert st.sectrans_handshake(client) == WOULD_BLOCK
    pump(client, server)
    assert st.sectrans_handshake(server) == WOULD_BLOCK
    pump(client, server)
    if how == "write":
        assert st.sectrans_write(client, DATA) == (PEER_AUTH, 0)
    else:
        assert st.sectrans_read(client, bytearray(64)) == (PEER_AUTH, 0)
    assert state(client) == HANDSHAKE
    assert evaluate(peer_trust(client)) == 0
    FINISH[how](client, server)


@pytest.mark.parametrize("how", sorted(FINISH))
@pytest.mark.parametrize("point", ["client-hello", "cert-requested"])
def test_other_breaks_finished_by_data_call(pki, version, point, how):
    """After -9851 (server) or -9842 (client), the choice made, a data call
    finishes the handshake too (Secure Transport's SSLRead has a path for
    the first)."""
    if point == "client-hello":
        client, server = client_hello_break(pki, version, "localhost")
        check(
            st.sectrans_set_identity(server, make_identity(pki.ecdsa_p256)),
            "sectrans_set_identity",
            server,
        )
        FINISH[how](server, client)
    else:
        client, server = cert_requested_break(pki, version, ALWAYS)
        check(
            st.sectrans_set_identity(client, make_identity(pki.client)),
            "sectrans_set_identity",
            client,
        )
        FINISH[how](client, server)
        assert cert_state(server) == CC_SENT
    assert state(client) == CONNECTED and state(server) == CONNECTED


def test_accept_peer_trust_needs_a_pending_break(pki):
    client, server = make_pair(pki.ecdsa_p256)
    assert st.sectrans_accept_peer_trust(client) == st.SECTRANS_ERR_BAD_REQ  # idle
    handshake(client, server)
    assert st.sectrans_accept_peer_trust(client) == st.SECTRANS_ERR_BAD_REQ  # done


# ---------------------------------------------------------------------------
# BreakOnCertRequested (client)


def cert_requested_break(pki, version, auth):
    """A client without identity stopped at BreakOnCertRequested by a server
    asking with `auth` and naming the test root as acceptable CA."""
    client, server = make_pair(
        pki.ecdsa_p256, client=pinned(version), server=dict(anchors=pki.ca_pem)
    )
    check(st.sectrans_set_client_side_authenticate(server, auth), "client auth", server)
    check(
        st.sectrans_add_distinguished_name(server, name_der(pki.root.cert.subject)),
        "sectrans_add_distinguished_name",
        server,
    )
    set_option(client, st.SECTRANS_OPTION_BREAK_ON_CERT_REQUESTED)
    got = drive_handshake(client, server)
    expect_statuses(got, (CERT_REQUESTED, WOULD_BLOCK), client, server)
    return client, server


def test_break_on_cert_requested_then_identity(pki, version):
    client, server = cert_requested_break(pki, version, ALWAYS)
    assert state(client) == HANDSHAKE
    assert cert_state(client) == CC_REQUESTED
    root_dn = name_der(pki.root.cert.subject)
    assert check(st.sectrans_get_distinguished_name_count(client)) == 1
    assert check(st.sectrans_copy_distinguished_name(client, 0)) == root_dn
    assert check(st.sectrans_get_distinguished_name_count(server)) == 1
    # Secure Transport allows a new peer ID at this break.
    check(st.sectrans_set_peer_id(client, peer_id()), "sectrans_set_peer_id", client)

    check(
        st.sectrans_set_identity(client, make_identity(pki.client)), "sectrans_set_identity", client
    )
    handshake(client, server)
    assert cert_state(client) == CC_SENT
    assert cert_state(server) == CC_SENT
    trust = peer_trust(server)
    assert trust_result(trust) == 0
    assert chain_ders(trust)[0] == pki.client.leaf_der


def test_distinguished_names_travel_in_order(pki):
    """Secure Transport prepends each added name; the client reads the list
    the server sends, in that order. Not a Name: -50."""
    client, server = make_pair(pki.ecdsa_p256, server=dict(anchors=pki.ca_pem))
    check(st.sectrans_set_client_side_authenticate(server, TRY), "client auth", server)
    root, intermediate = (name_der(pki.root.cert.subject), name_der(pki.intermediate.cert.subject))
    for name in (root, intermediate):
        check(st.sectrans_add_distinguished_name(server, name), "add_dn", server)
    for bad in (b"\x02\x01\x01", root + b"\x00"):
        assert st.sectrans_add_distinguished_name(server, bad) == st.SECTRANS_ERR_PARAM
    assert check(st.sectrans_get_distinguished_name_count(client)) == 0
    set_option(client, st.SECTRANS_OPTION_BREAK_ON_CERT_REQUESTED)
    got = drive_handshake(client, server)
    expect_statuses(got, (CERT_REQUESTED, WOULD_BLOCK), client, server)
    for ctx in (server, client):
        assert check(st.sectrans_get_distinguished_name_count(ctx)) == 2
        assert [check(st.sectrans_copy_distinguished_name(ctx, i)) for i in range(2)] == [
            intermediate,
            root,
        ]
        assert st.sectrans_copy_distinguished_name(ctx, 2) == (st.SECTRANS_ERR_PARAM, None)


@pytest.mark.parametrize("auth", [TRY, ALWAYS], ids=["try", "always"])
def test_break_on_cert_requested_without_identity_sends_none(pki, version, auth):
    client, server = cert_requested_break(pki, version, auth)
    got = drive_handshake(client, server)
    if auth == TRY:
        expect_statuses(got, (0, 0), client, server)
        assert cert_state(server) == CC_REQUESTED
    elif version == TLS12:
        expect_statuses(got, (st.SECTRANS_ERR_PEER_HANDSHAKE_FAIL, CHAIN_INVALID), client, server)
    else:
        expect_statuses(got, (0, CHAIN_INVALID), client, server)
        assert read_peer_error(client) == st.SECTRANS_ERR_CERTIFICATE_REQUIRED
    assert cert_state(client) == CC_REQUESTED


@pytest.mark.parametrize("case", ["identity-set", "not-requested"])
def test_no_cert_requested_break(pki, version, case):
    """No stop when an identity is already set, or when the server does not
    ask for a certificate."""
    identity = pki.client if case == "identity-set" else None
    auth = ALWAYS if case == "identity-set" else st.SECTRANS_AUTHENTICATE_NEVER
    client, server = make_pair(pki.ecdsa_p256, client_leaf=identity, client=pinned(version))
    check(st.sectrans_set_client_side_authenticate(server, auth), "client auth", server)
    set_option(client, st.SECTRANS_OPTION_BREAK_ON_CERT_REQUESTED)
    handshake(client, server)
    assert cert_state(client) == (CC_SENT if identity else CC_NONE)


# ---------------------------------------------------------------------------
# BreakOnClientHello (server)


def client_hello_break(pki, version, peer_name):
    """A server without identity stopped at BreakOnClientHello."""
    client, server = make_pair(
        None, peer_name=peer_name, client=dict(anchors=pki.ca_pem, **pinned(version))
    )
    set_option(server, st.SECTRANS_OPTION_BREAK_ON_CLIENT_HELLO)
    got = drive_handshake(client, server)
    expect_statuses(got, (WOULD_BLOCK, CLIENT_HELLO), client, server)
    assert state(server) == HANDSHAKE
    return client, server


def test_break_on_client_hello_lets_the_server_choose(pki, version):
    client, server = client_hello_break(pki, version, "localhost")
    assert check(st.sectrans_get_requested_peer_name(server)) == b"localhost"
    check(
        st.sectrans_set_identity(server, make_identity(pki.rsa2048)),
        "sectrans_set_identity",
        server,
    )
    handshake(client, server)
    trust = peer_trust(client)
    assert trust_result(trust) == 0
    assert chain_ders(trust)[0] == pki.rsa2048.leaf_der


def test_client_hello_without_sni(pki, version):
    """A client whose peer name is an IP literal sends no SNI: the requested
    name is -50 (as in Secure Transport); the handshake still completes."""
    client, server = client_hello_break(pki, version, "127.0.0.1")
    assert st.sectrans_get_requested_peer_name(server) == (st.SECTRANS_ERR_PARAM, None)
    check(
        st.sectrans_set_identity(server, make_identity(pki.ecdsa_p256)),
        "sectrans_set_identity",
        server,
    )
    handshake(client, server)
    assert st.sectrans_get_requested_peer_name(server) == (st.SECTRANS_ERR_PARAM, None)
