"""The session's states and transitions (docs/architecture.md, "The session
state machine"; docs/secure-transport.md, "Handshake" and "Session states";
header contract), over real handshakes on the memory transport, for TLS 1.2
and TLS 1.3.

idle -> handshake -> connected -> closed, as sectrans_get_session_state
reports it; aborted after a fatal read error; a failed handshake is
terminal; the handshake after success is a no-op; read and write refuse
the idle state; every setter refuses an active session; shutdown_write is a
half-close; a received close_notify ends reads with -9805 and is answered;
end of stream without close_notify gives -9806.
(A fatal write error is in test_fd_transport.py; every call on a terminal
context in test_misuse.py.)
"""

import os

import pytest
from helpers import (
    CLIENT,
    REPO,
    SERVER,
    WOULD_BLOCK,
    check,
    describe,
    drive_handshake,
    handshake,
    make_pair,
    make_trust_store,
    pump,
    st,
    state,
    take_all,
)

IDLE = st.SECTRANS_STATE_IDLE
HANDSHAKE = st.SECTRANS_STATE_HANDSHAKE
CONNECTED = st.SECTRANS_STATE_CONNECTED
CLOSED = st.SECTRANS_STATE_CLOSED
ABORTED = st.SECTRANS_STATE_ABORTED
GRACEFUL = st.SECTRANS_CLOSED_GRACEFUL
ABORT = st.SECTRANS_CLOSED_ABORT

TLS12 = st.SECTRANS_PROTOCOL_TLS12
TLS13 = st.SECTRANS_PROTOCOL_TLS13


def pending(ctx):
    return check(st.sectrans_output_pending(ctx), "sectrans_output_pending", ctx)


def new_pair(pki, version=None, **kw):
    """A memory pair; the client allows only `version`."""
    if version is not None:
        kw.setdefault("client", {}).update(min_version=version, max_version=version)
    return make_pair(pki.ecdsa_p256, **kw)


def connected_pair(pki, version=None):
    client, server = new_pair(pki, version)
    handshake(client, server)
    pump(client, server)
    return client, server


def read_once(ctx, size=1000):
    buf = bytearray(size)
    status, n = st.sectrans_read(ctx, buf)
    return status, bytes(buf[:n])


def send(sender, receiver, data):
    assert st.sectrans_write(sender, data) == (0, len(data))
    pump(sender, receiver)


# ---------------------------------------------------------------------------
# The normal path


def test_states_of_a_whole_session(pki, version):
    client, server = new_pair(pki, version)
    assert (state(client), state(server)) == (IDLE, IDLE)

    # The client's first call sends its ClientHello and waits.
    assert st.sectrans_handshake(client) == WOULD_BLOCK
    assert state(client) == HANDSHAKE
    assert pending(client) > 0
    # The server's first call, with nothing received yet, starts the session.
    assert st.sectrans_handshake(server) == WOULD_BLOCK
    assert state(server) == HANDSHAKE
    # Half-closing needs a connected session.
    assert st.sectrans_shutdown_write(client) == st.SECTRANS_ERR_BAD_REQ
    assert (
        check(st.sectrans_get_negotiated_protocol_version(client)) == st.SECTRANS_PROTOCOL_UNKNOWN
    )

    handshake(client, server)
    assert (state(client), state(server)) == (CONNECTED, CONNECTED)
    assert check(st.sectrans_get_negotiated_protocol_version(client)) == version
    assert check(st.sectrans_get_negotiated_protocol_version(server)) == version

    send(client, server, b"request")
    assert read_once(server) == (0, b"request")
    send(server, client, b"response")
    assert read_once(client) == (0, b"response")
    assert (state(client), state(server)) == (CONNECTED, CONNECTED)

    assert st.sectrans_close(client) == 0
    assert state(client) == CLOSED
    pump(client, server)
    assert read_once(server) == (GRACEFUL, b"")
    assert state(server) == CLOSED


def test_handshake_after_success_is_a_no_op(pki, version):
    client, server = connected_pair(pki, version)
    # Application data waiting in the server's input: a handshake call must
    # neither consume it nor fail on it (Apple's would: errSSLProtocol).
    assert st.sectrans_write(client, b"data") == (0, 4)
    check(st.sectrans_feed_input(server, take_all(client)), "feed_input", server)
    for ctx in (client, server):
        assert st.sectrans_handshake(ctx) == 0, describe(st.sectrans_handshake(ctx), ctx)
        assert st.sectrans_handshake(ctx) == 0
        assert state(ctx) == CONNECTED
        assert pending(ctx) == 0  # nothing sent
    assert read_once(server) == (0, b"data")


def test_read_and_write_in_idle_give_bad_req(pki):
    client, server = new_pair(pki)
    for ctx in (client, server):
        assert st.sectrans_read(ctx, bytearray(10)) == (st.SECTRANS_ERR_BAD_REQ, 0)
        assert st.sectrans_write(ctx, b"data") == (st.SECTRANS_ERR_BAD_REQ, 0)
        assert st.sectrans_write(ctx, None) == (st.SECTRANS_ERR_BAD_REQ, 0)
        assert st.sectrans_shutdown_write(ctx) == st.SECTRANS_ERR_BAD_REQ
        assert state(ctx) == IDLE
        assert pending(ctx) == 0  # no handshake was started
    # The session still starts normally afterwards.
    handshake(client, server)


# ---------------------------------------------------------------------------
# Setters while the session is active


def _setters(pki):
    """(name, call, getter or None): each per-context setter with a valid
    argument, and how to read the setting back where a getter exists."""
    store = make_trust_store(pki.ca_pem)
    r, w = os.pipe()
    os.close(w)
    return r, [
        ("sectrans_set_fd", lambda c: st.sectrans_set_fd(c, r), None),
        (
            "sectrans_set_peer_domain_name",
            lambda c: st.sectrans_set_peer_domain_name(c, "other.example"),
            lambda c: check(st.sectrans_get_peer_domain_name(c)),
        ),
        ("sectrans_set_trust_store", lambda c: st.sectrans_set_trust_store(c, store), None),
        (
            "sectrans_set_verify_mode",
            lambda c: st.sectrans_set_verify_mode(c, st.SECTRANS_VERIFY_NONE),
            lambda c: check(st.sectrans_get_verify_mode(c)),
        ),
        (
            "sectrans_set_protocol_version_min",
            lambda c: st.sectrans_set_protocol_version_min(c, TLS13),
            lambda c: check(st.sectrans_get_protocol_version_min(c)),
        ),
        (
            "sectrans_set_protocol_version_max",
            lambda c: st.sectrans_set_protocol_version_max(c, TLS12),
            lambda c: check(st.sectrans_get_protocol_version_max(c)),
        ),
        ("sectrans_set_alpn", lambda c: st.sectrans_set_alpn(c, b"\x02h2"), None),
        (
            "sectrans_set_enabled_ciphers",
            lambda c: st.sectrans_set_enabled_ciphers(c, [0xC02B]),
            lambda c: check(st.sectrans_get_enabled_ciphers(c)),
        ),
        (
            "sectrans_set_session_option",
            lambda c: st.sectrans_set_session_option(c, st.SECTRANS_OPTION_BREAK_ON_SERVER_AUTH, 1),
            lambda c: check(
                st.sectrans_get_session_option(c, st.SECTRANS_OPTION_BREAK_ON_SERVER_AUTH)
            ),
        ),
        (
            "sectrans_set_client_side_authenticate",
            lambda c: st.sectrans_set_client_side_authenticate(c, st.SECTRANS_AUTHENTICATE_TRY),
            None,
        ),
        (
            "sectrans_add_distinguished_name",
            lambda c: st.sectrans_add_distinguished_name(c, b"\x30\x00"),
            lambda c: check(st.sectrans_get_distinguished_name_count(c)),
        ),
        (
            "sectrans_set_ocsp_response",
            lambda c: st.sectrans_set_ocsp_response(c, b"\x30\x00"),
            None,
        ),
    ]


# sectrans_set_identity works in any state (a break point may choose the
# identity); sectrans_set_session_tickets_enabled too, as in Secure Transport.
SETTER_NAMES = [
    "sectrans_set_fd",
    "sectrans_set_peer_domain_name",
    "sectrans_set_trust_store",
    "sectrans_set_verify_mode",
    "sectrans_set_protocol_version_min",
    "sectrans_set_protocol_version_max",
    "sectrans_set_alpn",
    "sectrans_set_enabled_ciphers",
    "sectrans_set_session_option",
    "sectrans_set_client_side_authenticate",
    "sectrans_add_distinguished_name",
    "sectrans_set_ocsp_response",
]


@pytest.mark.parametrize("active", [HANDSHAKE, CONNECTED], ids=["handshake", "connected"])
@pytest.mark.parametrize("side", [CLIENT, SERVER], ids=["client", "server"])
def test_every_setter_refuses_an_active_session(pki, active, side):
    fd, setters = _setters(pki)
    assert [name for name, _, _ in setters] == SETTER_NAMES
    try:
        client, server = new_pair(pki)
        if active == HANDSHAKE:
            assert st.sectrans_handshake(client) == WOULD_BLOCK
            pump(client, server)
            assert st.sectrans_handshake(server) == WOULD_BLOCK
        else:
            handshake(client, server)
        ctx = client if side == CLIENT else server
        assert state(ctx) == active
        for name, call, getter in setters:
            before = getter(ctx) if getter else None
            status = call(ctx)
            assert status == st.SECTRANS_ERR_BAD_REQ, "%s while %s: %s" % (
                name,
                active,
                describe(status, ctx),
            )
            if getter:
                assert getter(ctx) == before, "%s changed the setting" % name
        # The transport is still the memory one, and the session goes on.
        if active == HANDSHAKE:
            handshake(client, server)
        send(server, client, b"still fine")
        assert read_once(client) == (0, b"still fine")
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------
# Failures


def test_failed_handshake_is_terminal(pki, version):
    # The server's certificate does not name wrong.example: -9843.
    client, server = new_pair(pki, version, peer_name="wrong.example")
    c, s = drive_handshake(client, server)
    assert c == st.SECTRANS_ERR_HOST_NAME_MISMATCH, describe(c, client)
    assert state(client) == ABORTED
    assert st.sectrans_context_error_detail(client)
    # The alert reached the server, whose handshake failed too.
    assert s not in (0, WOULD_BLOCK), describe(s, server)
    assert state(server) == ABORTED
    # Terminal: the next handshake calls give the same status, nothing moves.
    for _ in range(2):
        assert st.sectrans_handshake(client) == st.SECTRANS_ERR_HOST_NAME_MISMATCH
        assert st.sectrans_handshake(server) == s
    assert pending(client) == 0
    assert (state(client), state(server)) == (ABORTED, ABORTED)


def test_fatal_read_error_aborts(pki, version):
    client, server = connected_pair(pki, version)
    assert st.sectrans_write(client, b"tampered") == (0, 8)
    record = bytearray(take_all(client))
    record[-1] ^= 0x01  # breaks the record's authentication tag
    check(st.sectrans_feed_input(server, bytes(record)), "feed_input", server)
    status, data = read_once(server)
    assert status not in (0, WOULD_BLOCK, GRACEFUL, ABORT), describe(status, server)
    assert data == b""
    assert state(server) == ABORTED
    assert st.sectrans_context_error_detail(server)
    assert pending(server) > 0  # the fatal alert for the peer
    # Secure Transport: a context in ErrorClose answers errSSLClosedAbort.
    assert read_once(server) == (ABORT, b"")
    assert st.sectrans_write(server, b"x") == (ABORT, 0)
    assert state(server) == ABORTED


def test_end_of_stream_without_close_notify_aborts(pki, version):
    client, server = connected_pair(pki, version)
    check(st.sectrans_feed_eof(client), "feed_eof", client)
    assert read_once(client) == (ABORT, b"")
    assert state(client) == ABORTED
    assert read_once(client) == (ABORT, b"")


# ---------------------------------------------------------------------------
# Closing


def test_close_notify_received_ends_reads_and_is_answered(pki, version):
    client, server = connected_pair(pki, version)
    send(server, client, b"last words")
    assert st.sectrans_close(server) == 0
    assert state(server) == CLOSED
    assert pending(server) > 0  # its close_notify
    pump(client, server)
    # Data sent before the close_notify is still delivered.
    assert read_once(client) == (0, b"last words")
    assert pending(client) == 0
    assert read_once(client) == (GRACEFUL, b"")
    assert state(client) == CLOSED
    assert pending(client) > 0  # our close_notify, sent back
    assert read_once(client) == (GRACEFUL, b"")
    assert st.sectrans_write(client, b"x") == (GRACEFUL, 0)
    # Secure Transport: after SSLClose, SSLRead only says closed graceful.
    pump(client, server)
    assert read_once(server) == (GRACEFUL, b"")


def test_shutdown_write_is_a_half_close(pki, version):
    client, server = connected_pair(pki, version)
    assert st.sectrans_write(client, b"request") == (0, 7)
    assert st.sectrans_shutdown_write(client) == 0
    assert st.sectrans_write(client, b"more") == (GRACEFUL, 0)
    pump(client, server)
    # The server gets the request, answers, then sees the close_notify.
    assert read_once(server) == (0, b"request")
    assert st.sectrans_write(server, b"response") == (0, 8)
    assert read_once(server) == (GRACEFUL, b"")
    assert state(server) == CLOSED
    pump(client, server)
    # The client still reads: the response, then the server's close_notify
    # (its automatic answer), which ends the session gracefully.
    assert state(client) != CLOSED
    assert read_once(client) == (0, b"response")
    assert read_once(client) == (GRACEFUL, b"")
    assert state(client) == CLOSED
    assert st.sectrans_write(client, b"x") == (GRACEFUL, 0)


# ---------------------------------------------------------------------------
# The transition table of core/src/session.c, call by call

SESSION_C = os.path.join(REPO, "core", "src", "session.c")


def _table(name):
    """The rows between "BEGIN name" and "END name" in session.c's
    comment, split on white space, without the heading row."""
    with open(SESSION_C) as f:
        text = f.read()
    begin, end = " * BEGIN %s\n" % name, " * END %s" % name
    body = text[text.index(begin) + len(begin) : text.index(end)]
    rows = [line.lstrip(" *").split() for line in body.splitlines()]
    return [row for row in rows[1:] if row]


PHASE_STATES = {
    phase: getattr(st, "SECTRANS_STATE_" + public) for phase, public in _table("PHASES")
}
TRANSITIONS = [
    (src, call, status, src if to == "=" else to) for src, call, status, to in _table("TRANSITIONS")
]

SESSION_CALLS = {
    "handshake": st.sectrans_handshake,
    "read": lambda ctx: st.sectrans_read(ctx, bytearray(100))[0],
    "write": lambda ctx: st.sectrans_write(ctx, b"x")[0],
    "close": st.sectrans_close,
    "shutdown_write": st.sectrans_shutdown_write,
    "accept_peer_trust": st.sectrans_accept_peer_trust,
}


def _stopped_at(client, server, option, side, expected):
    """Sets a break option on side (0 client, 1 server) and runs the
    handshake until expected == (client status, server status)."""
    ctx = (client, server)[side]
    check(st.sectrans_set_session_option(ctx, option, 1), "option", ctx)
    got = drive_handshake(client, server)
    assert got == expected, [describe(s) for s in got]
    return ctx


def _connected_client(pki):
    return connected_pair(pki, TLS13)[0]


def _started_client(pki):
    client, _ = new_pair(pki, TLS13)
    assert st.sectrans_handshake(client) == WOULD_BLOCK  # its ClientHello
    return client


def _phase_aborted(pki):
    client, server = connected_pair(pki, TLS13)
    assert st.sectrans_write(server, b"tampered") == (0, 8)
    record = bytearray(take_all(server))
    record[-1] ^= 0x01  # breaks the record's authentication tag
    check(st.sectrans_feed_input(client, bytes(record)), "feed", client)
    assert read_once(client)[0] not in (0, WOULD_BLOCK)
    return client


def _phase_failed(pki):
    client, _ = new_pair(pki, TLS13)
    check(st.sectrans_set_error(client, st.SECTRANS_ERR_INTERNAL), "set_error")
    assert st.sectrans_handshake(client) == st.SECTRANS_ERR_INTERNAL
    return client


def _phase_cert_requested(pki):
    client, server = new_pair(pki, TLS13, server=dict(anchors=pki.ca_pem))
    check(
        st.sectrans_set_client_side_authenticate(server, st.SECTRANS_AUTHENTICATE_TRY),
        "client auth",
        server,
    )
    return _stopped_at(
        client,
        server,
        st.SECTRANS_OPTION_BREAK_ON_CERT_REQUESTED,
        0,
        (st.SECTRANS_CLIENT_CERT_REQUESTED, WOULD_BLOCK),
    )


def _after(first, *calls):
    """A phase reached from another by calls that must return 0."""

    def reach(pki):
        ctx = first(pki)
        for call in calls:
            assert call(ctx) == 0, describe(call(ctx), ctx)
        return ctx

    return reach


# Each phase, reached on the memory transport (TLS 1.3); the saved status
# of FAILED is the one _phase_failed gives.
SAVED = st.SECTRANS_ERR_INTERNAL
PHASE_MAKERS = {
    "IDLE": lambda pki: new_pair(pki, TLS13)[0],
    "HANDSHAKE": _started_client,
    "BREAK_PEER_AUTH": lambda pki: _stopped_at(
        *new_pair(pki, TLS13),
        st.SECTRANS_OPTION_BREAK_ON_SERVER_AUTH,
        0,
        (st.SECTRANS_PEER_AUTH_COMPLETED, WOULD_BLOCK),
    ),
    "BREAK_CERT_REQUESTED": _phase_cert_requested,
    "BREAK_CLIENT_HELLO": lambda pki: _stopped_at(
        *new_pair(pki, TLS13),
        st.SECTRANS_OPTION_BREAK_ON_CLIENT_HELLO,
        1,
        (WOULD_BLOCK, st.SECTRANS_CLIENT_HELLO_RECEIVED),
    ),
    "CONNECTED": _connected_client,
    "WRITE_CLOSED": _after(_connected_client, st.sectrans_shutdown_write),
    "CLOSED": _after(_connected_client, st.sectrans_close),
    "ABORTED": _phase_aborted,
    "FAILED": _phase_failed,
}


def _expected_status(name):
    return SAVED if name == "saved" else getattr(st, "SECTRANS_" + name)


def test_transition_table_covers_every_phase_and_call():
    assert set(PHASE_STATES) == set(PHASE_MAKERS)
    cells = [(src, call) for src, call, _, _ in TRANSITIONS]
    assert sorted(cells) == sorted(
        (phase, call) for phase in PHASE_STATES for call in SESSION_CALLS
    )
    assert all(to in PHASE_STATES for _, _, _, to in TRANSITIONS)


@pytest.mark.parametrize(
    "src,call,status,to", TRANSITIONS, ids=["%s-%s" % row[:2] for row in TRANSITIONS]
)
def test_transition_table(pki, src, call, status, to):
    """Each row of session.c's table: the phase reached, the call made, the
    status it returns and the public state of the phase it leads to."""
    ctx = PHASE_MAKERS[src](pki)
    assert state(ctx) == PHASE_STATES[src]
    got = SESSION_CALLS[call](ctx)
    assert got == _expected_status(status), describe(got, ctx)
    assert state(ctx) == PHASE_STATES[to]


@pytest.mark.parametrize("phase", sorted(PHASE_MAKERS))
def test_set_error_is_acted_on_only_while_open(pki, phase):
    """The table's note: sectrans_set_error changes no phase; the next
    handshake of an open session fails with its status, an ended one keeps
    its own."""
    ctx = PHASE_MAKERS[phase](pki)
    ended = PHASE_STATES[phase] in (CLOSED, ABORTED)
    before = st.sectrans_handshake(ctx) if ended else None
    status = st.SECTRANS_ERR_PEER_USER_CANCELLED
    assert st.sectrans_set_error(ctx, status) == 0
    assert state(ctx) == PHASE_STATES[phase]
    if ended:
        assert st.sectrans_handshake(ctx) == before
        assert state(ctx) == PHASE_STATES[phase]
    else:
        assert st.sectrans_handshake(ctx) == status
        assert state(ctx) == ABORTED
        assert st.sectrans_handshake(ctx) == status  # saved from then on
