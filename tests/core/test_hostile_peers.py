"""Hostile peers: what each misbehaviour of the other end gets, in both
roles and both versions (README, "Reliability", "Hostile peers", whose
table cites these tests and the older ones that already covered a row).

The hostile peer is Python over the memory transport: it takes the real
flight of a sectrans peer (make_pair) and truncates, inflates or replaces
it, or crafts records by hand. Stalls and resets use the fd transport on
real sockets (the caller's SO_RCVTIMEO bounds a stall: the library has no
timeouts of its own); renegotiation uses `openssl s_server` / `s_client`,
whose commands on stdin renegotiate (TLS 1.2) or update keys (TLS 1.3).
Every failure must be a defined status with the context ABORTED, and
nothing may hang: every loop is bounded. test_nothing_grows repeats a
representative subset and checks the heap in use (mallinfo2) stays put.
"""

import ctypes
import gc
import select
import socket
import struct
import time

import peers
import pytest
from fd_sockets import set_io_timeout, socket_pair
from helpers import (
    CLIENT,
    SERVER,
    WOULD_BLOCK,
    check,
    describe,
    drive_handshake,
    handshake,
    make_context,
    make_pair,
    read_all,
    st,
    state,
    take_all,
    transfer,
    write_all,
)

TLS12 = st.SECTRANS_PROTOCOL_TLS12
TLS13 = st.SECTRANS_PROTOCOL_TLS13
VERSIONS = pytest.mark.parametrize("version", [TLS12, TLS13], ids=["tls12", "tls13"])
ROLES = pytest.mark.parametrize("role", [CLIENT, SERVER], ids=["client", "server"])
ABORTED = st.SECTRANS_STATE_ABORTED
HANDSHAKE_STATE = st.SECTRANS_STATE_HANDSHAKE

ALERT, HANDSHAKE, APPDATA = 21, 22, 23
FATAL, WARNING = 2, 1


# ---------------------------------------------------------------------------
# Records


def record(content_type, body, version=b"\x03\x03"):
    return bytes([content_type]) + version + struct.pack(">H", len(body)) + body


def split_records(wire):
    """[(type, body)] of the whole records of wire."""
    out, at = [], 0
    while at + 5 <= len(wire):
        length = struct.unpack(">H", wire[at + 3 : at + 5])[0]
        out.append((wire[at], wire[at + 5 : at + 5 + length]))
        at += 5 + length
    return out


def alert_of(wire):
    """(level, description) of wire when it is one plaintext alert record."""
    recs = split_records(wire)
    assert len(recs) == 1 and recs[0][0] == ALERT and len(recs[0][1]) == 2, wire.hex()
    return recs[0][1][0], recs[0][1][1]


def pair(leaf, version, **kw):
    """A client pinned to version and a server at the default range."""
    client = dict(min_version=version, max_version=version)
    client.update(kw.pop("client", {}))
    return make_pair(leaf, client=client, **kw)


def assert_aborted(ctx, status):
    """Failed with status, ABORTED, and the status is saved."""
    assert state(ctx) == ABORTED
    assert st.sectrans_handshake(ctx) == status
    assert st.sectrans_read(ctx, bytearray(8)) == (status, 0)


def first_flight(pki, version):
    """(client, server, client_hello): the client sent its ClientHello."""
    client, server = pair(pki.ecdsa_p256, version)
    assert st.sectrans_handshake(client) == WOULD_BLOCK
    return client, server, take_all(client)


def to_stage(pki, role, version, stage):
    """Drives a pair to the point where the hostile side (the one that is
    not `role`) sends its next flight. Returns (ctx, peer, flight): ctx is
    the sectrans context under test, peer the real one the hostile side
    stands for, flight the bytes peer would send next.

    stage "first": ctx awaits the peer's first flight (a client the
    ServerHello flight, a server the ClientHello). stage "second": one step
    on. A TLS 1.2 client sent its second flight and awaits the server's
    ChangeCipherSpec and Finished; a TLS 1.3 client got the ServerHello
    record and awaits the encrypted rest; a server sent its flight and
    awaits the client's next one (1.2: ClientKeyExchange, in plaintext;
    1.3: the encrypted Finished)."""
    client, server, hello = first_flight(pki, version)
    if role == SERVER and stage == "first":
        return server, client, hello
    check(st.sectrans_feed_input(server, hello))
    assert st.sectrans_handshake(server) == WOULD_BLOCK
    server_flight = take_all(server)
    if role == SERVER:
        check(st.sectrans_feed_input(client, server_flight))
        assert st.sectrans_handshake(client) in (0, WOULD_BLOCK)
        return server, client, take_all(client)
    if stage == "first":
        return client, server, server_flight
    if version == TLS13:
        server_hello = server_flight[: 5 + struct.unpack(">H", server_flight[3:5])[0]]
        check(st.sectrans_feed_input(client, server_hello))
        assert st.sectrans_handshake(client) == WOULD_BLOCK
        return client, server, server_flight[len(server_hello) :]
    check(st.sectrans_feed_input(client, server_flight))
    assert st.sectrans_handshake(client) == WOULD_BLOCK
    check(st.sectrans_feed_input(server, take_all(client)))
    assert st.sectrans_handshake(server) == 0
    return client, server, take_all(server)


def connected(pki, version, **kw):
    client, server = pair(pki.ecdsa_p256, version, **kw)
    handshake(client, server)
    transfer(server, client, b"tickets first")  # TLS 1.3 tickets consumed
    return client, server


# ---------------------------------------------------------------------------
# Garbage instead of a hello


@ROLES
@pytest.mark.parametrize(
    "garbage",
    [b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", b"SSH-2.0-OpenSSH_9.2\r\n", bytes(64)],
    ids=["http", "ssh", "zeros"],
)
def test_garbage_instead_of_a_hello(pki, role, garbage):
    """Not TLS at all, in place of the first flight: -9800 errSSLProtocol
    at once (the header is refused before a length is trusted), no hang;
    a protocol_version alert, except to an HTTP request (none).
    (Random garbage in both roles: test_misuse.py,
    test_garbage_input_ends_in_a_clear_status.)"""
    ctx, _, _ = to_stage(pki, role, TLS13, "first")
    check(st.sectrans_feed_input(ctx, garbage))
    status = st.sectrans_handshake(ctx)
    assert status == st.SECTRANS_ERR_PROTOCOL, describe(status, ctx)
    sent = take_all(ctx, check_status=False)
    if role == SERVER and garbage.startswith(b"GET "):
        # BoringSSL recognises HTTP (detail HTTP_REQUEST) and answers
        # nothing: an HTTP client could not read an alert anyway.
        assert "HTTP_REQUEST" in st.sectrans_context_error_detail(ctx)
        assert sent == b""
    else:
        assert alert_of(sent) == (FATAL, 70)  # protocol_version
    assert_aborted(ctx, status)


# ---------------------------------------------------------------------------
# Truncated records


@ROLES
@VERSIONS
@pytest.mark.parametrize("ending", ["rest", "eof"])
def test_truncated_handshake_record(pki, role, version, ending):
    """The peer's first flight cut inside its first record: would-block
    (wants read) while the rest may still come; the rest completes the
    handshake; an end of stream instead gives -9806 errSSLClosedAbort,
    ABORTED."""
    ctx, peer, flight = to_stage(pki, role, version, "first")
    cut = 5 + 20
    check(st.sectrans_feed_input(ctx, flight[:cut]))
    assert st.sectrans_handshake(ctx) == WOULD_BLOCK
    assert st.sectrans_wants(ctx) == st.SECTRANS_WANT_READ
    if ending == "rest":
        check(st.sectrans_feed_input(ctx, flight[cut:]))
        client, server = (ctx, peer) if role == CLIENT else (peer, ctx)
        handshake(client, server)
        transfer(client, server, b"after the cut")
        assert check(st.sectrans_get_negotiated_protocol_version(ctx)) == version
    else:
        check(st.sectrans_feed_eof(ctx))
        status = st.sectrans_handshake(ctx)
        assert status == st.SECTRANS_CLOSED_ABORT, describe(status, ctx)
        assert take_all(ctx, check_status=False) == b""  # no one to tell
        assert_aborted(ctx, status)


@ROLES
@VERSIONS
def test_truncated_application_data_record(pki, role, version):
    """An application data record cut short: the read waits (would-block,
    nothing delivered); at end of stream -9806, ABORTED; no partial
    plaintext is ever handed out."""
    client, server = connected(pki, version)
    ctx, peer = (client, server) if role == CLIENT else (server, client)
    write_all(peer, b"x" * 1000)
    wire = take_all(peer)
    check(st.sectrans_feed_input(ctx, wire[:-1]))
    data, status = read_all(ctx)
    assert (data, status) == (b"", WOULD_BLOCK)
    check(st.sectrans_feed_eof(ctx))
    status, n = st.sectrans_read(ctx, bytearray(2000))
    assert (status, n) == (st.SECTRANS_CLOSED_ABORT, 0), describe(status, ctx)
    assert state(ctx) == ABORTED


# ---------------------------------------------------------------------------
# A record over the limit


@ROLES
@VERSIONS
@pytest.mark.parametrize("stage", ["first", "connected"])
def test_record_over_the_limit(pki, role, version, stage):
    """A header announcing more than TLS allows (18,433 bytes: over every
    version's ciphertext limit), body never sent: -9847
    errSSLRecordOverflow at once, and a record_overflow alert that the real
    peer reads as -9822 errSSLPeerRecordOverflow. (The client in its first
    flight, lengths from 16,385 up: test_misuse.py,
    test_oversized_record_gets_a_record_overflow_alert.)"""
    if stage == "first":
        ctx, peer, _ = to_stage(pki, role, version, "first")
    else:
        client, server = connected(pki, version)
        ctx, peer = (client, server) if role == CLIENT else (server, client)
    check(
        st.sectrans_feed_input(
            ctx, bytes([APPDATA if stage != "first" else HANDSHAKE, 3, 3, 0x48, 0x01])
        )
    )
    if stage == "first":
        status = st.sectrans_handshake(ctx)
    else:
        status, n = st.sectrans_read(ctx, bytearray(100))
        assert n == 0
    assert status == st.SECTRANS_ERR_RECORD_OVERFLOW, describe(status, ctx)
    assert state(ctx) == ABORTED
    sent = take_all(ctx, check_status=False)
    if stage == "first":
        assert alert_of(sent) == (FATAL, 22)
    else:
        # Encrypted: the real peer decrypts it.
        check(st.sectrans_feed_input(peer, sent))
        status, _ = st.sectrans_read(peer, bytearray(100))
        assert status == st.SECTRANS_ERR_PEER_RECORD_OVERFLOW, describe(status, peer)


# ---------------------------------------------------------------------------
# Alerts

# Every alert TLS defines (RFC 8446 section 6, with the TLS 1.2-only and
# obsolete ones), and the status a received one gives
# (core/src/status.c, the alert table).
ALERTS = [
    ("close_notify", 0, st.SECTRANS_CLOSED_GRACEFUL),
    ("unexpected_message", 10, st.SECTRANS_ERR_PEER_UNEXPECTED_MSG),
    ("bad_record_mac", 20, st.SECTRANS_ERR_PEER_BAD_RECORD_MAC),
    ("decryption_failed", 21, st.SECTRANS_ERR_PEER_DECRYPTION_FAIL),
    ("record_overflow", 22, st.SECTRANS_ERR_PEER_RECORD_OVERFLOW),
    ("decompression_failure", 30, st.SECTRANS_ERR_PEER_DECOMPRESS_FAIL),
    ("handshake_failure", 40, st.SECTRANS_ERR_PEER_HANDSHAKE_FAIL),
    ("bad_certificate", 42, st.SECTRANS_ERR_PEER_BAD_CERT),
    ("unsupported_certificate", 43, st.SECTRANS_ERR_PEER_UNSUPPORTED_CERT),
    ("certificate_revoked", 44, st.SECTRANS_ERR_PEER_CERT_REVOKED),
    ("certificate_expired", 45, st.SECTRANS_ERR_PEER_CERT_EXPIRED),
    ("certificate_unknown", 46, st.SECTRANS_ERR_PEER_CERT_UNKNOWN),
    ("illegal_parameter", 47, st.SECTRANS_ERR_ILLEGAL_PARAM),
    ("unknown_ca", 48, st.SECTRANS_ERR_PEER_UNKNOWN_CA),
    ("access_denied", 49, st.SECTRANS_ERR_PEER_ACCESS_DENIED),
    ("decode_error", 50, st.SECTRANS_ERR_PEER_DECODE_ERROR),
    ("decrypt_error", 51, st.SECTRANS_ERR_PEER_DECRYPT_ERROR),
    ("export_restriction", 60, st.SECTRANS_ERR_PEER_EXPORT_RESTRICTION),
    ("protocol_version", 70, st.SECTRANS_ERR_PEER_PROTOCOL_VERSION),
    ("insufficient_security", 71, st.SECTRANS_ERR_PEER_INSUFFICIENT_SECURITY),
    ("internal_error", 80, st.SECTRANS_ERR_PEER_INTERNAL_ERROR),
    ("inappropriate_fallback", 86, st.SECTRANS_ERR_INAPPROPRIATE_FALLBACK),
    ("user_canceled", 90, st.SECTRANS_ERR_PEER_USER_CANCELLED),
    ("no_renegotiation", 100, st.SECTRANS_ERR_PEER_NO_RENEGOTIATION),
    ("missing_extension", 109, st.SECTRANS_ERR_MISSING_EXTENSION),
    ("unsupported_extension", 110, st.SECTRANS_ERR_UNSUPPORTED_EXTENSION),
    ("unrecognized_name", 112, st.SECTRANS_ERR_UNRECOGNIZED_NAME),
    (
        "bad_certificate_status_response",
        113,
        st.SECTRANS_ERR_BAD_CERTIFICATE_STATUS_RESPONSE,
    ),
    ("unknown_psk_identity", 115, st.SECTRANS_ERR_UNKNOWN_PSK_IDENTITY),
    ("certificate_required", 116, st.SECTRANS_ERR_CERTIFICATE_REQUIRED),
    # No Secure Transport status names this one: the generic fatal alert.
    ("no_application_protocol", 120, st.SECTRANS_ERR_FATAL_ALERT),
]
ALERT_PARAMS = pytest.mark.parametrize(
    "description,expected",
    [(code, status) for _, code, status in ALERTS],
    ids=[a[0] for a in ALERTS],
)


@ROLES
@VERSIONS
@pytest.mark.parametrize("stage", ["first", "second"])
@ALERT_PARAMS
def test_fatal_alert_in_plaintext(pki, role, version, stage, description, expected):
    """A fatal alert record in place of the peer's next flight, in
    plaintext: the status of the alert table, ABORTED, nothing sent back.
    Once TLS 1.3 keys are in place (stage "second") a plaintext record is
    no record at all: -9846 errSSLBadRecordMac, whatever the alert said,
    and an encrypted bad_record_mac alert that the real peer reads as
    -9820 errSSLPeerBadRecordMac."""
    ctx, peer, _ = to_stage(pki, role, version, stage)
    check(st.sectrans_feed_input(ctx, record(ALERT, bytes([FATAL, description]))))
    status = st.sectrans_handshake(ctx)
    if version == TLS13 and stage == "second":
        assert status == st.SECTRANS_ERR_BAD_RECORD_MAC, describe(status, ctx)
        assert_aborted(ctx, status)
        check(st.sectrans_feed_input(peer, take_all(ctx, check_status=False)))
        # The client peer finished its handshake already: it reads.
        status = st.sectrans_read(peer, bytearray(100))[0]
        assert status == st.SECTRANS_ERR_PEER_BAD_RECORD_MAC, describe(status, peer)
        return
    assert status == expected, describe(status, ctx)
    assert_aborted(ctx, status)
    assert take_all(ctx, check_status=False) == b""


@ROLES
@VERSIONS
@pytest.mark.parametrize(
    "description", [0, 90, 100], ids=["close_notify", "user_canceled", "no_renegotiation"]
)
def test_warning_alert_at_the_first_flight(pki, role, version, description):
    """Warning-level alerts before the version is known: close_notify ends
    the handshake with -9805 errSSLClosedGraceful (ABORTED, as any failed
    handshake; nothing sent back, the status saved); user_canceled and
    no_renegotiation are skipped (RFC 8446 section 6.1 keeps user_canceled
    as a warning) and the real flight then completes the handshake."""
    ctx, peer, flight = to_stage(pki, role, version, "first")
    check(st.sectrans_feed_input(ctx, record(ALERT, bytes([WARNING, description]))))
    status = st.sectrans_handshake(ctx)
    if description == 0:
        assert status == st.SECTRANS_CLOSED_GRACEFUL, describe(status, ctx)
        assert take_all(ctx, check_status=False) == b""
        assert state(ctx) == ABORTED, state(ctx)
        assert st.sectrans_handshake(ctx) == status
        return
    assert status == WOULD_BLOCK, describe(status, ctx)
    check(st.sectrans_feed_input(ctx, flight))
    client, server = (ctx, peer) if role == CLIENT else (peer, ctx)
    handshake(client, server)
    transfer(server, client, b"still fine")


# ---------------------------------------------------------------------------
# Alerts after the handshake: encrypted, so sent by a real peer


def _corrupt(peer, ctx):
    """A record from peer with one byte of its body flipped."""
    write_all(peer, b"to be corrupted")
    wire = bytearray(take_all(peer))
    wire[-1] ^= 0x01
    return bytes(wire)


@ROLES
@VERSIONS
@pytest.mark.parametrize(
    "how,expected",
    [
        ("close_notify", st.SECTRANS_CLOSED_GRACEFUL),
        ("certificate_expired", st.SECTRANS_ERR_PEER_CERT_EXPIRED),
        ("certificate_revoked", st.SECTRANS_ERR_PEER_CERT_REVOKED),
        ("bad_record_mac", st.SECTRANS_ERR_PEER_BAD_RECORD_MAC),
    ],
    ids=["close_notify", "certificate_expired", "certificate_revoked", "bad_record_mac"],
)
def test_encrypted_alert_after_the_handshake(pki, role, version, how, expected):
    """The alerts a real sectrans peer sends on a connected session:
    close_notify (sectrans_close), certificate_expired and
    certificate_revoked (sectrans_set_error), bad_record_mac (it got a
    corrupted record: it fails with -9846 errSSLBadRecordMac). The context
    under test reads the alert table's status. (record_overflow:
    test_record_over_the_limit; the verification alerts inside the TLS 1.3
    handshake: test_verification.py.)"""
    client, server = connected(pki, version)
    ctx, peer = (client, server) if role == CLIENT else (server, client)
    if how == "close_notify":
        check(st.sectrans_close(peer))
    elif how == "bad_record_mac":
        check(st.sectrans_feed_input(peer, _corrupt(ctx, peer)))
        status, _ = st.sectrans_read(peer, bytearray(100))
        assert status == st.SECTRANS_ERR_BAD_RECORD_MAC, describe(status, peer)
    else:
        error = {
            "certificate_expired": st.SECTRANS_ERR_CERTIFICATE_EXPIRED,
            "certificate_revoked": st.SECTRANS_ERR_CERTIFICATE_REVOKED,
        }[how]
        check(st.sectrans_set_error(peer, error))
        assert st.sectrans_write(peer, b"x") == (error, 0)
    check(st.sectrans_feed_input(ctx, take_all(peer, check_status=False)))
    status, n = st.sectrans_read(ctx, bytearray(100))
    assert (status, n) == (expected, 0), describe(status, ctx)
    if how == "close_notify":
        assert state(ctx) == st.SECTRANS_STATE_CLOSED
    else:
        assert state(ctx) == ABORTED


# ---------------------------------------------------------------------------
# Oversized handshake messages


def _big_chain_identity(pki, leaf, size):
    """leaf with its chain padded past size bytes of DER by repeating the
    intermediate (the verifier ignores the extra copies)."""
    copies = size // len(pki.intermediate.der) + 1
    cert_pem = leaf.cert_pem + pki.intermediate_pem * copies
    return check(st.sectrans_identity_create_from_pem(cert_pem, leaf.key_pem, None))


@ROLES
@VERSIONS
@pytest.mark.parametrize(
    "size,accepted", [(64 << 10, True), (128 << 10, False)], ids=["64k", "128k"]
)
def test_big_certificate_chain(pki, role, version, size, accepted):
    """The peer's Certificate message is 64 KiB: a sectrans client facing
    such a server, or a sectrans server that asks for a client certificate
    facing such a client. Accepted (BoringSSL's limit for a certificate
    message is 100 KiB, SSL_MAX_CERT_LIST_DEFAULT): the handshake completes.
    128 KiB: -9800 errSSLProtocol (EXCESSIVE_MESSAGE_SIZE) and an
    illegal_parameter alert, which the peer reads as -9830."""
    if role == CLIENT:
        kw = dict(server=dict(identity=_big_chain_identity(pki, pki.ecdsa_p256, size)))
    else:
        kw = dict(
            client=dict(identity=_big_chain_identity(pki, pki.client, size)),
            server=dict(anchors=pki.ca_pem),
        )
    client, server = pair(pki.ecdsa_p256, version, **kw)
    if role == SERVER:
        check(st.sectrans_set_client_side_authenticate(server, st.SECTRANS_AUTHENTICATE_ALWAYS))
    c, s = drive_handshake(client, server)
    if accepted:
        assert (c, s) == (0, 0), (describe(c, client), describe(s, server))
        transfer(server, client, b"big chain, fine")
        transfer(client, server, b"both ways")
        return
    (ctx, mine), (peer, theirs) = ((client, c), (server, s))[:: 1 if role == CLIENT else -1]
    assert mine == st.SECTRANS_ERR_PROTOCOL, describe(mine, ctx)
    assert "EXCESSIVE_MESSAGE_SIZE" in st.sectrans_context_error_detail(ctx)
    if theirs == 0:  # a TLS 1.3 client finished first; it reads the alert
        theirs = st.sectrans_read(peer, bytearray(10))[0]
    assert theirs == st.SECTRANS_ERR_ILLEGAL_PARAM, describe(theirs, peer)
    assert state(ctx) == ABORTED and state(peer) == ABORTED


def _handshake_messages(records):
    """The handshake messages of plaintext records: [(type, whole message)]."""
    stream = b"".join(body for t, body in records if t == HANDSHAKE)
    out, at = [], 0
    while at + 4 <= len(stream):
        length = int.from_bytes(stream[at + 1 : at + 4], "big")
        out.append((stream[at], stream[at : at + 4 + length]))
        at += 4 + length
    return out


def _as_records(message, content_type=HANDSHAKE, limit=16384):
    return b"".join(
        record(content_type, message[i : i + limit]) for i in range(0, len(message), limit)
    )


def _inflate_client_hello(hello_wire, extension_size):
    """The ClientHello of hello_wire with an extension of an unassigned
    type (0x7a7b) and extension_size zero bytes first in its list,
    re-framed into records of at most 16 KiB."""
    ((msg_type, message),) = _handshake_messages(split_records(hello_wire))
    assert msg_type == 1
    body = message[4:]
    at = 2 + 32
    at += 1 + body[at]  # session id
    at += 2 + int.from_bytes(body[at : at + 2], "big")  # cipher suites
    at += 1 + body[at]  # compression methods
    extensions = body[at + 2 :]
    extra = struct.pack(">HH", 0x7A7B, extension_size) + bytes(extension_size)
    extensions = extra + extensions
    body = body[:at] + struct.pack(">H", len(extensions)) + extensions
    return _as_records(bytes([1]) + len(body).to_bytes(3, "big") + body)


@VERSIONS
@pytest.mark.parametrize(
    "extension_size,accepted", [(15000, True), (16384, False)], ids=["15000", "16384"]
)
def test_client_hello_with_16k_of_extensions(pki, version, extension_size, accepted):
    """A ClientHello carrying an unknown extension of 16 KiB (the message
    then spans two records): over BoringSSL's 16 KiB limit for messages
    that are not certificates, so -9800 errSSLProtocol
    (EXCESSIVE_MESSAGE_SIZE) and an illegal_parameter alert, at once. One
    of 15,000 bytes still fits: the server answers with its flight."""
    client, server, hello = first_flight(pki, version)
    check(st.sectrans_feed_input(server, _inflate_client_hello(hello, extension_size)))
    status = st.sectrans_handshake(server)
    if accepted:
        assert status == WOULD_BLOCK, describe(status, server)
        assert split_records(take_all(server))[0][0] == HANDSHAKE  # ServerHello
        return
    assert status == st.SECTRANS_ERR_PROTOCOL, describe(status, server)
    assert "EXCESSIVE_MESSAGE_SIZE" in st.sectrans_context_error_detail(server)
    assert alert_of(take_all(server, check_status=False)) == (FATAL, 47)
    assert_aborted(server, status)


# ---------------------------------------------------------------------------
# A second ServerHello


@VERSIONS
def test_second_server_hello(pki, version):
    """A server that sends its ServerHello twice. TLS 1.2: the second
    arrives where the Certificate belongs: -9800 errSSLProtocol
    (UNEXPECTED_MESSAGE) and an unexpected_message alert. TLS 1.3: after
    the first one the client reads only encrypted records, so the plaintext
    copy fails to decrypt: -9846 errSSLBadRecordMac, and a bad_record_mac
    alert (encrypted) that the server reads as -9820."""
    client, server, flight = to_stage(pki, CLIENT, version, "first")
    (msg_type, server_hello) = _handshake_messages(split_records(flight))[0]
    assert msg_type == 2
    check(st.sectrans_feed_input(client, record(HANDSHAKE, server_hello) + flight))
    status = st.sectrans_handshake(client)
    assert_aborted(client, status)
    sent = take_all(client, check_status=False)
    if version == TLS12:
        assert status == st.SECTRANS_ERR_PROTOCOL, describe(status, client)
        assert "UNEXPECTED_MESSAGE" in st.sectrans_context_error_detail(client)
        assert alert_of(sent) == (FATAL, 10)
    else:
        assert status == st.SECTRANS_ERR_BAD_RECORD_MAC, describe(status, client)
        check(st.sectrans_feed_input(server, sent))
        status = st.sectrans_handshake(server)
        assert status == st.SECTRANS_ERR_PEER_BAD_RECORD_MAC, describe(status, server)


# ---------------------------------------------------------------------------
# A peer that drips one byte per read


def _drip_until(contexts, queues, done, max_steps=200000):
    """Moves ciphertext between the two contexts one byte per feed, calling
    step(ctx) after each byte, until done() is true. Bounded."""
    for _ in range(max_steps):
        if done():
            return
        moved = False
        for i, ctx in enumerate(contexts):
            queues[1 - i] += take_all(ctx, check_status=False)
        for i, ctx in enumerate(contexts):
            if queues[i]:
                check(st.sectrans_feed_input(ctx, bytes(queues[i][:1])))
                del queues[i][:1]
                moved = True
                yield ctx
        if not moved:
            for ctx in contexts:
                yield ctx
    raise AssertionError("dripping made no progress")


@VERSIONS
def test_peer_that_drips_one_byte_per_read(pki, version):
    """Every byte of the session (handshake, 20,000 bytes one way and 3,000
    the other, close_notify) arrives alone, each followed by a call: the
    handshake completes, the data arrives whole and in order, close_notify
    reads as -9805. Both roles at once: each side drips to the other. (The
    callback transport at one byte per call, every other call
    would-block: tests/c/callback_transport.c, run by test_c_programs.py.)"""
    client, server = pair(pki.ecdsa_p256, version)
    contexts = (client, server)
    queues = [bytearray(), bytearray()]
    results = {}
    calls = 0
    for ctx in _drip_until(
        contexts, queues, lambda: results.get(client) == 0 == results.get(server)
    ):
        calls += 1
        if results.get(ctx) != 0:
            status = st.sectrans_handshake(ctx)
            assert status in (0, WOULD_BLOCK), describe(status, ctx)
            results[ctx] = status
    assert calls > 1000  # byte by byte
    for sender, receiver, size in ((client, server, 20000), (server, client, 3000)):
        data = bytes(i % 251 for i in range(size))
        write_all(sender, data)
        got = bytearray()
        buf = bytearray(4096)
        for ctx in _drip_until(contexts, queues, lambda: len(got) >= size):
            if ctx is receiver:
                status, n = st.sectrans_read(receiver, buf)
                assert status in (0, WOULD_BLOCK), describe(status, receiver)
                got += buf[:n]
        assert bytes(got) == data
    check(st.sectrans_close(client))
    ends = {}
    for ctx in _drip_until(contexts, queues, lambda: server in ends):
        if ctx is server:
            status, n = st.sectrans_read(server, bytearray(100))
            if status != WOULD_BLOCK:
                ends[server] = status
    assert ends[server] == st.SECTRANS_CLOSED_GRACEFUL, describe(ends[server], server)


# ---------------------------------------------------------------------------
# Over real sockets: a stall, a reset


class Relay:
    """The context under test on one end of a loopback TCP pair (the fd
    transport); behind the other end, a memory-transport sectrans peer whose
    bytes the test forwards as it likes (self.theirs is the hostile end)."""

    def __init__(self, pki, role, version):
        client, server = pair(pki.ecdsa_p256, version)
        self.ctx, self.peer = (client, server) if role == CLIENT else (server, client)
        self.mine, self.theirs = socket_pair()
        self.mine.setblocking(False)
        set_io_timeout(self.theirs, 5)
        check(st.sectrans_set_fd(self.ctx, self.mine.fileno()))

    def to_peer(self):
        """What ctx sent so far, fed to the peer."""
        while True:
            try:
                data = self.theirs.recv(65536, socket.MSG_DONTWAIT)
            except BlockingIOError:
                return
            if not data:
                return
            check(st.sectrans_feed_input(self.peer, data))

    def handshake(self):
        last = [None, None]
        for _ in range(2000):
            last[1] = st.sectrans_handshake(self.peer)
            self.theirs.sendall(take_all(self.peer))
            last[0] = st.sectrans_handshake(self.ctx)
            self.to_peer()
            assert last[0] in (0, WOULD_BLOCK), describe(last[0], self.ctx)
            assert last[1] in (0, WOULD_BLOCK), describe(last[1], self.peer)
            if last == [0, 0]:
                return
            time.sleep(0.001)
        raise AssertionError("relay handshake not finished")

    def close(self):
        self.mine.close()
        self.theirs.close()


@ROLES
@VERSIONS
@pytest.mark.parametrize("mode", ["blocking", "poll"])
@pytest.mark.parametrize("where", ["silent", "mid_record"])
def test_stall_mid_handshake_is_bounded_by_the_callers_timeout(pki, role, version, where, mode):
    """The peer stops sending: before its first flight ("silent") or 30
    bytes into it ("mid_record"). sectrans has no timer of its own: the
    caller's bound rules. On a blocking socket with SO_RCVTIMEO, each
    handshake call returns -9803 errSSLWouldBlock (wants read) once the
    timeout expired; on a non-blocking one ("poll") it returns at once and
    the caller's poll for what sectrans_wants names times out. Either way
    the session stays in the handshake state, and once the bytes come the
    handshake completes."""
    relay = Relay(pki, role, version)
    try:
        if role == CLIENT:
            assert st.sectrans_handshake(relay.ctx) == WOULD_BLOCK  # ClientHello out
            relay.to_peer()
        assert st.sectrans_handshake(relay.peer) == WOULD_BLOCK
        flight = take_all(relay.peer)
        cut = 0 if where == "silent" else 30
        relay.theirs.sendall(flight[:cut])
        if mode == "blocking":
            relay.mine.setblocking(True)
            set_io_timeout(relay.mine, 0.2)
        for _ in range(2):
            start = time.monotonic()
            status = st.sectrans_handshake(relay.ctx)
            assert status == WOULD_BLOCK, describe(status, relay.ctx)
            assert st.sectrans_wants(relay.ctx) == st.SECTRANS_WANT_READ
            if mode == "poll":
                assert time.monotonic() - start < 0.1  # no wait inside
                poller = select.poll()
                poller.register(relay.mine, select.POLLIN)
                assert poller.poll(200) == []
            elapsed = time.monotonic() - start
            assert 0.15 <= elapsed < 3, elapsed
            assert state(relay.ctx) == HANDSHAKE_STATE
        relay.mine.setblocking(False)
        relay.theirs.sendall(flight[cut:])
        relay.handshake()
        assert check(st.sectrans_get_negotiated_protocol_version(relay.ctx)) == version
    finally:
        relay.close()


@ROLES
@VERSIONS
@pytest.mark.parametrize("where", ["between_records", "mid_record"])
def test_reset_mid_transfer(pki, role, version, where):
    """The peer resets the connection (SO_LINGER {1, 0}, no close_notify)
    between records or 100 bytes into one: the reader gets -36 errSecIO
    with "Connection reset by peer" in the detail, never an end of stream
    and never partial plaintext; ABORTED. (The server side, TLS 1.3, over
    C: tests/c/write_then_close.c and tests/c/load.c.)"""
    relay = Relay(pki, role, version)
    try:
        relay.handshake()
        write_all(relay.peer, b"x" * 5000)
        wire = take_all(relay.peer)
        buf = bytearray(8192)
        if where == "between_records":
            relay.theirs.sendall(wire)
            got = bytearray()
            for _ in range(2000):
                status, n = st.sectrans_read(relay.ctx, buf)
                got += buf[:n]
                assert status in (0, WOULD_BLOCK), describe(status, relay.ctx)
                if len(got) >= 5000:
                    break
                time.sleep(0.001)
            assert bytes(got) == b"x" * 5000
        else:
            relay.theirs.sendall(wire[:100])
        relay.theirs.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        relay.theirs.close()
        status = WOULD_BLOCK
        for _ in range(2000):
            status, n = st.sectrans_read(relay.ctx, buf)
            assert n == 0
            if status != WOULD_BLOCK:
                break
            time.sleep(0.001)
        assert status == st.SECTRANS_ERR_IO, describe(status, relay.ctx)
        assert "reset" in st.sectrans_context_error_detail(relay.ctx)
        assert state(relay.ctx) == ABORTED
    finally:
        relay.mine.close()


# ---------------------------------------------------------------------------
# Renegotiation and key updates, against OpenSSL's tools


def _read_for(conn, seconds):
    """Reads (non-blocking) for up to `seconds`; returns (data, status): the
    status that ended reading, would-block when time ran out."""
    out = bytearray()
    buf = bytearray(4096)
    deadline = time.monotonic() + seconds
    status = WOULD_BLOCK
    while time.monotonic() < deadline:
        status, n = st.sectrans_read(conn.ctx, buf)
        out += buf[:n]
        if status not in (0, WOULD_BLOCK):
            break
        select.select([conn.sock], [], [], 0.05)
    return bytes(out), status


def _assert_renegotiation_refused(conn, peer):
    """The sectrans side's next read fails with -9800 (NO_RENEGOTIATION),
    ABORTED, and the peer reports the no_renegotiation alert."""
    data, status = _read_for(conn, peers.STEP_TIMEOUT)
    assert data == b""
    assert status == st.SECTRANS_ERR_PROTOCOL, describe(status, conn.ctx)
    assert "NO_RENEGOTIATION" in conn.error_detail()
    assert state(conn.ctx) == ABORTED
    assert peer.wait_for_output(r"(?i)no.renegotiation"), peer.describe()


def _key_update_round(conn, peer, done_marker):
    """The OpenSSL peer sends a KeyUpdate asking for one back ("K"), then a
    line; sectrans reads the line and answers, the peer prints the answer.
    done_marker: what the peer prints once it sent the KeyUpdate (it drops
    what came on stdin with a command, so the line goes after)."""
    peer.send(b"K\n")
    assert peer.wait_for_output(done_marker), peer.describe()
    peer.send(b"after\n")
    assert conn.read_exactly(6) == b"after\n"
    conn.write_all(b"back\n")
    assert peer.wait_for_stdout(b"back\n"), peer.describe()


@pytest.mark.parametrize("allow", [False, True], ids=["default", "allow_renegotiation"])
def test_tls12_server_asks_to_renegotiate(pki, tmp_path, reap, allow):
    """`openssl s_server` sends a HelloRequest (its "r" command) on a TLS
    1.2 session. By default the sectrans client refuses: its read fails
    with -9800 errSSLProtocol (NO_RENEGOTIATION) and it sends a fatal
    no_renegotiation alert, which s_server reports. With
    ALLOW_RENEGOTIATION it renegotiates (s_server sees a second
    ClientHello) and data goes on."""
    server = reap(
        peers.openssl_server(
            pki.ecdsa_p256, str(tmp_path), version="TLSv1.2", mode=None, extra=["-msg"]
        )
    )
    ctx = make_context(
        CLIENT, anchors=pki.ca_pem, peer_name="localhost", min_version=TLS12, max_version=TLS12
    )
    if allow:
        check(st.sectrans_set_session_option(ctx, st.SECTRANS_OPTION_ALLOW_RENEGOTIATION, 1))
    conn = peers.SectransSocket(ctx, peers.connect(server.port))
    try:
        assert conn.handshake() == 0, conn.error_detail()
        conn.write_all(b"before\n")
        assert server.wait_for_stdout(b"before\n"), server.describe()
        server.send(b"r\n")
        if not allow:
            _assert_renegotiation_refused(conn, server)
            return
        data, status = _read_for(conn, 2)
        assert (data, status) == (b"", WOULD_BLOCK), describe(status, ctx)
        conn.write_all(b"after\n")
        assert server.wait_for_stdout(b"after\n"), server.describe()
        assert server.output().count("ClientHello") >= 2, server.describe()
    finally:
        conn.close()


@pytest.mark.parametrize("version", ["TLSv1.2", "TLSv1.3"], ids=["tls12", "tls13"])
def test_client_asks_to_renegotiate_or_update_keys(pki, tmp_path, reap, version):
    """`openssl s_client` facing a sectrans server. TLS 1.2, its "R"
    command (a new ClientHello): the server never renegotiates (BoringSSL
    servers cannot): -9800 errSSLProtocol (NO_RENEGOTIATION) and a fatal
    no_renegotiation alert, which s_client reports. TLS 1.3 has no
    renegotiation; its "K" command (a KeyUpdate asking for one back) just
    works: data goes on both ways under the new keys."""
    listener, port = peers.listener()
    with listener:
        client = reap(
            peers.openssl_client(port, pki.ca_file, str(tmp_path), version=version, commands=True)
        )
        ctx = make_context(SERVER, identity=pki.ecdsa_p256)
        conn = peers.SectransSocket(ctx, peers.accept(listener, client))
    try:
        assert conn.handshake() == 0, conn.error_detail()
        client.send(b"ping\n")
        assert conn.read_exactly(5) == b"ping\n"
        if version == "TLSv1.2":
            client.send(b"R\n")
            _assert_renegotiation_refused(conn, client)
            return
        _key_update_round(conn, client, "KEYUPDATE")
    finally:
        conn.close()


def test_tls13_server_updates_keys(pki, tmp_path, reap):
    """`openssl s_server` sends a KeyUpdate asking for one back (its "K"
    command) on a TLS 1.3 session: the sectrans client updates both ways
    and data goes on (the TLS 1.3 row of "renegotiation")."""
    server = reap(
        peers.openssl_server(
            pki.ecdsa_p256, str(tmp_path), version="TLSv1.3", mode=None, extra=["-msg"]
        )
    )
    ctx = make_context(CLIENT, anchors=pki.ca_pem, peer_name="localhost")
    conn = peers.SectransSocket(ctx, peers.connect(server.port))
    try:
        assert conn.handshake() == 0, conn.error_detail()
        conn.write_all(b"before\n")
        assert server.wait_for_stdout(b"before\n"), server.describe()
        _key_update_round(conn, server, "KeyUpdate")  # -msg shows it
    finally:
        conn.close()


# ---------------------------------------------------------------------------
# Nothing leaks


class _Mallinfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def _heap_in_use():
    """Bytes glibc's malloc has handed out and not had back: in-use chunks
    of the arenas plus mmapped blocks (mallinfo2), after a collection."""
    gc.collect()
    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = _Mallinfo2
    info = libc.mallinfo2()
    return info.uordblks + info.hblkhd


def _scenarios(pki):
    """A representative subset of the rows above, each creating and
    dropping its own contexts: the failure paths (a refused header, an end
    of stream mid-record, record_overflow, every kind of alert, oversized
    messages refused, a second ServerHello, a corrupted record) and one
    success."""
    return [
        lambda: test_garbage_instead_of_a_hello(pki, SERVER, b"GET / HTTP/1.1\r\n\r\n"),
        lambda: test_truncated_handshake_record(pki, CLIENT, TLS13, "eof"),
        lambda: test_truncated_application_data_record(pki, SERVER, TLS13),
        lambda: test_record_over_the_limit(pki, CLIENT, TLS13, "connected"),
        lambda: test_fatal_alert_in_plaintext(
            pki, SERVER, TLS12, "second", 40, st.SECTRANS_ERR_PEER_HANDSHAKE_FAIL
        ),
        lambda: test_fatal_alert_in_plaintext(
            pki, CLIENT, TLS13, "second", 40, st.SECTRANS_ERR_PEER_HANDSHAKE_FAIL
        ),
        lambda: test_client_hello_with_16k_of_extensions(pki, TLS13, 16384, False),
        lambda: test_second_server_hello(pki, TLS12),
        lambda: test_encrypted_alert_after_the_handshake(
            pki, CLIENT, TLS13, "bad_record_mac", st.SECTRANS_ERR_PEER_BAD_RECORD_MAC
        ),
        lambda: test_warning_alert_at_the_first_flight(pki, SERVER, TLS13, 90),
    ]


def test_nothing_grows(pki):
    """The scenarios above, 300 rounds after 30 of warm-up: the process's
    heap in use (glibc mallinfo2: arena chunks in use plus mmapped blocks)
    must not grow by more than 256 KiB, under 100 bytes a scenario run. A
    context left behind costs kilobytes (valgrind runs only the C
    programs: tests/core/test_c_programs.py).

    No scenario completes a TLS 1.2 handshake: a server context made
    without a config of its own shares the process-wide default config,
    whose SSL_CTX keeps every TLS 1.2 session in BoringSSL's server session
    cache (for resumption by session ID) — about 530 bytes a connection,
    up to BoringSSL's 20,480 sessions, expiring after two hours. That is
    growth by design, bounded, not a leak (a config per server, or TLS 1.3,
    keeps none)."""
    scenarios = _scenarios(pki)
    for _ in range(30):
        for run in scenarios:
            run()
    before = _heap_in_use()
    rounds = 300
    for _ in range(rounds):
        for run in scenarios:
            run()
    grown = _heap_in_use() - before
    assert grown < 256 << 10, "heap in use grew by %d bytes over %d scenario runs" % (
        grown,
        rounds * len(scenarios),
    )
    print("heap in use: %+d bytes over %d runs" % (grown, rounds * len(scenarios)))
