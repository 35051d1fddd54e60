"""Misuse gets a status, never a crash (design "The C ABI rules", the
header's conventions and each function's comment).

NULL handles (-50) for every function of the header that takes one (the
list is checked against the header, so a new function must be added here);
zero lengths; invalid enum values; datagram (-4); malformed ALPN lists;
config setters after a context was made from the config (-909); trust
store additions after use (-909); memory-transport calls on an fd
context (-909); feeding a finished context (its status, nothing kept); a
peer name with an embedded NUL or a '*' (-50); a verifying client
without a peer name (-9848 before any byte is sent); every session call on
a terminal context (the saved status); status names for every code.
(Over-maximum lengths and lying callbacks are tested in C.)
"""

import os
import random
import re
import socket
import struct

import paths
import pytest
from helpers import (
    CLIENT,
    SERVER,
    WOULD_BLOCK,
    check,
    describe,
    handshake,
    make_context,
    make_identity,
    make_pair,
    make_trust_store,
    st,
    take_all,
)

PARAM = st.SECTRANS_ERR_PARAM
BAD_REQ = st.SECTRANS_ERR_BAD_REQ
ILLEGAL = st.SECTRANS_ERR_ILLEGAL_PARAM

HEADER = os.path.join(paths.REPO, "core", "include", "sectrans", "sectrans.h")


def _header_text():
    with open(HEADER) as f:
        return re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)


# ---------------------------------------------------------------------------
# NULL handles


# NULL for every handle of every function: tests/core/test_lowlevel_module.py
# derives those calls from the header.


def test_null_trust_store_argument_gives_param():
    # The second handle: a trust store is required (NULL does not mean "the
    # system store" here; a NULL identity, by contrast, clears it).
    ctx = make_context(CLIENT)
    config = check(st.sectrans_config_create(CLIENT))
    assert st.sectrans_set_trust_store(ctx, None) == PARAM
    assert st.sectrans_config_set_trust_store(config, None) == PARAM
    assert st.sectrans_set_identity(ctx, None) == 0
    assert st.sectrans_config_set_identity(config, None) == 0


# ---------------------------------------------------------------------------
# Zero lengths


def test_zero_lengths(pki):
    # Parsers refuse empty input as a parameter error.
    assert st.sectrans_certificate_create_from_der(b"") == (PARAM, None)
    assert st.sectrans_certificate_create_from_pem(b"") == (PARAM, None)
    # An empty cipher list.
    ctx = make_context(CLIENT)
    assert st.sectrans_set_enabled_ciphers(ctx, []) == PARAM
    # Feeding and taking nothing are fine and do nothing.
    assert st.sectrans_feed_input(ctx, b"") == 0
    assert st.sectrans_take_output(ctx, bytearray(0)) == (0, 0)
    assert st.sectrans_output_pending(ctx) == (0, 0)
    # An empty peer name clears the name; a counted trailing NUL is dropped.
    assert st.sectrans_set_peer_domain_name(ctx, b"localhost\0") == 0
    assert st.sectrans_get_peer_domain_name(ctx) == (0, b"localhost")
    assert st.sectrans_set_peer_domain_name(ctx, b"") == 0
    assert st.sectrans_get_peer_domain_name(ctx) == (0, b"")
    # ALPN: an empty (non-NULL) list is malformed: RFC 7301 needs a name.
    # (None clears the list: test_alpn.py.)
    assert st.sectrans_set_alpn(ctx, b"") == PARAM


# ---------------------------------------------------------------------------
# Invalid enum values


def test_invalid_side_and_type():
    assert st.sectrans_context_create(2, st.SECTRANS_STREAM) == (PARAM, None)
    assert st.sectrans_context_create(-1, st.SECTRANS_STREAM) == (PARAM, None)
    assert st.sectrans_context_create(CLIENT, 5) == (PARAM, None)
    assert st.sectrans_config_create(2) == (PARAM, None)


def test_datagram_is_unimplemented():
    for side in (CLIENT, SERVER):
        assert st.sectrans_context_create(side, st.SECTRANS_DATAGRAM) == (
            st.SECTRANS_ERR_UNIMPLEMENTED,
            None,
        )


@pytest.mark.parametrize("target", ["context", "config"])
def test_invalid_verify_mode(target):
    if target == "context":
        obj = make_context(CLIENT)
        assert st.sectrans_set_verify_mode(obj, 9) == PARAM
        assert st.sectrans_set_verify_mode(obj, -1) == PARAM
        assert check(st.sectrans_get_verify_mode(obj)) == st.SECTRANS_VERIFY_FULL
    else:
        obj = check(st.sectrans_config_create(CLIENT))
        assert st.sectrans_config_set_verify_mode(obj, 9) == PARAM


def test_invalid_key_type():
    assert st.sectrans_identity_create_self_signed("localhost", 5) == (PARAM, None)


BAD_MIN = [
    99,
    -1,
    st.SECTRANS_PROTOCOL_UNKNOWN,
    st.SECTRANS_PROTOCOL_SSL3,
    st.SECTRANS_PROTOCOL_DTLS1,
    st.SECTRANS_PROTOCOL_DTLS12,
]
BAD_MAX = BAD_MIN + [st.SECTRANS_PROTOCOL_TLS1, st.SECTRANS_PROTOCOL_TLS11]


@pytest.mark.parametrize("target", ["context", "config"])
def test_invalid_protocol_versions_give_illegal_param(target):
    if target == "context":
        obj = make_context(CLIENT)
        set_min, set_max = (
            st.sectrans_set_protocol_version_min,
            st.sectrans_set_protocol_version_max,
        )
    else:
        obj = check(st.sectrans_config_create(CLIENT))
        set_min, set_max = (
            st.sectrans_config_set_protocol_version_min,
            st.sectrans_config_set_protocol_version_max,
        )
    for protocol in BAD_MIN:
        assert set_min(obj, protocol) == ILLEGAL, "min %d" % protocol
    for protocol in BAD_MAX:
        assert set_max(obj, protocol) == ILLEGAL, "max %d" % protocol
    if target == "context":
        # Refused values change nothing: still TLS 1.2 to 1.3.
        assert check(st.sectrans_get_protocol_version_min(obj)) == st.SECTRANS_PROTOCOL_TLS12
        assert check(st.sectrans_get_protocol_version_max(obj)) == st.SECTRANS_PROTOCOL_TLS13


MALFORMED_ALPN = [
    b"\x00",  # an empty name
    b"\x03h2",  # a length past the end
    b"\x02h2\x00",  # an empty name after a good one
    b"\x02h2\x05abc",  # the second name runs past the end
    b"\x00\x02h2",  # an empty name first
    b"h2",  # not length-prefixed
]


@pytest.mark.parametrize("target", ["context", "config"])
@pytest.mark.parametrize("alpn", MALFORMED_ALPN, ids=repr)
def test_malformed_alpn_list_gives_param(target, alpn):
    if target == "context":
        assert st.sectrans_set_alpn(make_context(CLIENT), alpn) == PARAM
    else:
        assert st.sectrans_config_set_alpn(check(st.sectrans_config_create(CLIENT)), alpn) == PARAM


# ---------------------------------------------------------------------------
# Frozen configs and trust stores


def test_config_setters_after_a_context_was_made_give_bad_req(pki):
    config = check(st.sectrans_config_create(SERVER))
    check(st.sectrans_config_set_identity(config, make_identity(pki.ecdsa_p256)))
    check(st.sectrans_context_create_with_config(config))
    setters = {
        "protocol_version_min": st.SECTRANS_PROTOCOL_TLS13,
        "protocol_version_max": st.SECTRANS_PROTOCOL_TLS12,
        "identity": make_identity(pki.rsa2048),
        "trust_store": make_trust_store(pki.ca_pem),
        "verify_mode": st.SECTRANS_VERIFY_NONE,
        "alpn": b"\x02h2",
        "enabled_ciphers": [0xC02B],
        "client_side_authenticate": st.SECTRANS_AUTHENTICATE_TRY,
    }
    header_setters = set(re.findall(r"\bsectrans_config_set_(\w+)\s*\(", _header_text()))
    # keylog_callback takes a C function: not in the Python module.
    assert header_setters - {"keylog_callback", "session_option"} == set(setters)
    assert (
        st.sectrans_config_set_session_option(config, st.SECTRANS_OPTION_BREAK_ON_SERVER_AUTH, 1)
        == BAD_REQ
    )
    for name, value in setters.items():
        status = getattr(st, "sectrans_config_set_" + name)(config, value)
        assert status == BAD_REQ, "sectrans_config_set_%s: %s" % (name, describe(status))
    # The frozen config still makes working contexts.
    server = check(st.sectrans_context_create_with_config(config))
    client = make_context(CLIENT, anchors=pki.ca_pem, peer_name="localhost")
    handshake(client, server)
    assert check(st.sectrans_get_negotiated_protocol_version(server)) == st.SECTRANS_PROTOCOL_TLS13


@pytest.mark.parametrize("user", ["context", "config"])
def test_trust_store_additions_after_use_give_bad_req(pki, user):
    store = make_trust_store(pki.ca_pem)
    if user == "context":
        check(st.sectrans_set_trust_store(make_context(CLIENT), store))
    else:
        check(st.sectrans_config_set_trust_store(check(st.sectrans_config_create(CLIENT)), store))
    assert st.sectrans_trust_store_add_pem(store, pki.intermediate_pem) == BAD_REQ
    assert st.sectrans_trust_store_add_pem_file(store, pki.intermediate_file) == BAD_REQ
    assert st.sectrans_trust_store_add_system(store) == BAD_REQ
    assert check(st.sectrans_trust_store_get_count(store)) == 1


# ---------------------------------------------------------------------------
# Transports


def test_memory_transport_calls_on_an_fd_context_give_bad_req():
    a, b = socket.socketpair()
    try:
        ctx = make_context(CLIENT)
        assert st.sectrans_set_fd(ctx, -1) == PARAM
        check(st.sectrans_set_fd(ctx, a.fileno()))
        assert st.sectrans_feed_input(ctx, b"\x16\x03\x01") == BAD_REQ
        assert st.sectrans_feed_eof(ctx) == BAD_REQ
        assert st.sectrans_take_output(ctx, bytearray(10)) == (BAD_REQ, 0)
        assert st.sectrans_output_pending(ctx) == (BAD_REQ, None)
    finally:
        a.close()
        b.close()


def test_feed_after_feed_eof_gives_bad_req():
    ctx = make_context(SERVER)
    check(st.sectrans_feed_eof(ctx))
    assert st.sectrans_feed_input(ctx, b"\x16") == BAD_REQ


def test_feed_on_a_finished_context_takes_nothing(pki):
    """A failed context keeps no input (nothing would ever read it): each
    feed returns the saved status. A closed one answers -9805."""
    ctx = make_context(SERVER, identity=pki.ecdsa_p256)
    check(st.sectrans_feed_input(ctx, b"GET / HTTP/1.1\r\n\r\n"))
    failure = st.sectrans_handshake(ctx)
    assert failure not in (0, WOULD_BLOCK)
    for _ in range(3):
        assert st.sectrans_feed_input(ctx, bytes(1 << 20)) == failure
    client, server = make_pair(pki.ecdsa_p256)
    handshake(client, server)
    check(st.sectrans_close(client))
    assert st.sectrans_feed_input(client, b"\x17\x03\x03\x00\x01x") == st.SECTRANS_CLOSED_GRACEFUL


# ---------------------------------------------------------------------------
# Peer names


def test_peer_name_with_embedded_nul_or_wildcard_gives_param():
    ctx = make_context(CLIENT, peer_name="localhost")
    for name in (
        b"local\0host",
        b"\0localhost",
        b"localhost\0\0",
        "evil.com\0.example",
        "*.example.com",
        "*",
        "a*.example.com",
        "example.*",
    ):
        assert st.sectrans_set_peer_domain_name(ctx, name) == PARAM, repr(name)
    assert st.sectrans_get_peer_domain_name(ctx) == (0, b"localhost")


@pytest.mark.parametrize("use_config", [False, True], ids=["apple", "config"])
def test_verifying_client_without_peer_name_fails_before_sending(pki, use_config):
    client = make_context(CLIENT, anchors=pki.ca_pem, use_config=use_config)
    assert st.sectrans_handshake(client) == st.SECTRANS_ERR_BAD_CONFIGURATION
    assert st.sectrans_output_pending(client) == (0, 0)  # not even a ClientHello
    assert st.sectrans_context_error_detail(client)
    assert check(st.sectrans_get_session_state(client)) == st.SECTRANS_STATE_ABORTED
    # The explicit opt-out: chain-only verification runs without a name.
    client = make_context(
        CLIENT, anchors=pki.ca_pem, use_config=use_config, verify_mode=st.SECTRANS_VERIFY_CHAIN_ONLY
    )
    assert st.sectrans_handshake(client) == WOULD_BLOCK
    assert check(st.sectrans_output_pending(client)) > 0


# ---------------------------------------------------------------------------
# Terminal contexts

SESSION_CALLS = {
    "handshake": lambda c: st.sectrans_handshake(c),
    "read": lambda c: st.sectrans_read(c, bytearray(10)),
    "write": lambda c: st.sectrans_write(c, b"data"),
    "write_flush": lambda c: st.sectrans_write(c, None),
    "shutdown_write": lambda c: st.sectrans_shutdown_write(c),
    "close": lambda c: st.sectrans_close(c),
}


@pytest.mark.parametrize("call", sorted(SESSION_CALLS))
def test_every_session_call_on_a_terminal_context_returns_the_saved_status(pki, call):
    # Terminal: a verifying client started without a peer name.
    client = make_context(CLIENT, anchors=pki.ca_pem)
    saved = st.sectrans_handshake(client)
    assert saved == st.SECTRANS_ERR_BAD_CONFIGURATION
    for _ in range(2):
        result = SESSION_CALLS[call](client)
        status = result[0] if isinstance(result, tuple) else result
        assert status == saved, "%s on a terminal context: %s" % (call, describe(status, client))
        if isinstance(result, tuple):
            assert result[1] == 0, "processed"
        assert check(st.sectrans_get_session_state(client)) == st.SECTRANS_STATE_ABORTED
    # And the handshake still answers the same afterwards.
    assert st.sectrans_handshake(client) == saved
    assert st.sectrans_output_pending(client) == (0, 0)


# ---------------------------------------------------------------------------
# Status strings


def _status_codes():
    body = re.search(r"enum\s+sectrans_status_code\s*\{(.*?)\}", _header_text(), re.S)
    codes = dict(re.findall(r"(SECTRANS_\w+)\s*=\s*(-?\d+)", body.group(1)))
    assert len(codes) > 70
    return {name: int(value) for name, value in codes.items()}


def test_status_string_names_every_code():
    names = {}
    for constant, code in _status_codes().items():
        assert getattr(st, constant) == code
        name = st.sectrans_status_string(code)
        assert name and name != "unknown status", constant
        assert re.fullmatch(r"err(SSL|Sec)\w+", name), (constant, name)
        assert name not in names, "%s and %s share %s" % (constant, names.get(name), name)
        names[name] = constant
        description = st.sectrans_status_description(code)
        assert description and description != "unknown status", constant
    assert st.sectrans_status_string(0) == "errSecSuccess"
    assert st.sectrans_status_string(-9803) == "errSSLWouldBlock"


@pytest.mark.parametrize("code", [12345, 1, -9999, -2147483648, 2147483647])
def test_status_string_of_an_unknown_number(code):
    assert st.sectrans_status_string(code) == "unknown status"
    assert st.sectrans_status_description(code) == "unknown status"


# ---------------------------------------------------------------------------
# Garbage on the wire


def _garbage(rng):
    """Random bytes; half of them start like a TLS record (so the framing
    reads a length), some announce a record longer than TLS allows."""
    kind = rng.randrange(4)
    body = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 600)))
    if kind == 0:
        return body
    length = rng.choice([0, 1, 5, 300, 16384, 18432, 30000, 65535])
    header = bytes(
        [rng.choice([20, 21, 22, 23]), 3, rng.choice([1, 3]), length >> 8, length & 0xFF]
    )
    return header + body


@pytest.mark.parametrize("side", [CLIENT, SERVER], ids=["client", "server"])
def test_garbage_input_ends_in_a_clear_status(pki, side):
    """Whatever arrives, the context answers with a status: would-block
    while a record may still be incomplete, a fatal code once it is wrong or
    the stream ended, never a crash or a hang."""
    rng = random.Random(20261126 + side)
    fatal = set()
    for _ in range(150):
        client, server = make_pair(pki.ecdsa_p256)
        ctx = client if side == CLIENT else server
        if side == CLIENT:
            assert st.sectrans_handshake(ctx) == WOULD_BLOCK  # ClientHello out
        check(st.sectrans_feed_input(ctx, _garbage(rng)), "feed", ctx)
        status = st.sectrans_handshake(ctx)
        if status == WOULD_BLOCK:
            check(st.sectrans_feed_eof(ctx), "feed_eof", ctx)
            status = st.sectrans_handshake(ctx)
        assert status not in (0, WOULD_BLOCK), describe(status, ctx)
        assert check(st.sectrans_get_session_state(ctx)) == st.SECTRANS_STATE_ABORTED
        assert st.sectrans_handshake(ctx) == status  # the saved status
        fatal.add(status)
    assert len(fatal) >= 2  # several distinct, named failures
    assert all(st.sectrans_status_string(s) != "unknown status" for s in fatal)


@pytest.mark.parametrize(
    "length,body", [(16385, True), (16704, True), (16705, False), (18689, False), (65535, False)]
)
def test_oversized_record_gets_a_record_overflow_alert(pki, length, body):
    """A record longer than TLS allows ends the handshake with -9847 and a
    fatal record_overflow alert to the peer. Up to BoringSSL's ciphertext
    limit (16704) it judges the whole record; above, the header alone (the
    body need not come)."""
    client, _ = make_pair(pki.ecdsa_p256)
    assert st.sectrans_handshake(client) == WOULD_BLOCK
    take_all(client)  # the ClientHello
    record = bytes([22, 3, 3, length >> 8, length & 0xFF])
    if body:
        record += bytes(length)
    check(st.sectrans_feed_input(client, record), "feed", client)
    assert st.sectrans_handshake(client) == st.SECTRANS_ERR_RECORD_OVERFLOW
    alert = take_all(client, check_status=False)
    # An alert record (its legacy version is 3.1 before negotiation):
    # fatal, record_overflow.
    assert alert[:2] == b"\x15\x03" and alert[3:] == bytes([0, 2, 2, 22])


@pytest.mark.parametrize(
    "minor,alert", [(1, 70), (3, 40)], ids=["tls10-protocol-version", "tls12-handshake-failure"]
)
def test_sslv2_compatible_client_hello_is_answered_at_once(pki, minor, alert):
    """The 2-byte-header hello that old clients and scanners send reaches
    BoringSSL whole, and the server answers in the same call instead of
    waiting for bytes that never come: TLS 1.0 is refused with
    protocol_version, and a TLS 1.2 one (its ciphers are RSA key exchange
    only, the server's key is ECDSA) with handshake_failure."""
    ciphers = bytes.fromhex("00002f00003500000a")
    challenge = bytes(range(16))
    body = (
        bytes([1, 3, minor])
        + struct.pack(">HHH", len(ciphers), 0, len(challenge))
        + ciphers
        + challenge
    )
    server = make_context(SERVER, identity=pki.ecdsa_p256)
    check(st.sectrans_feed_input(server, struct.pack(">H", 0x8000 | len(body)) + body))
    assert st.sectrans_handshake(server) == st.SECTRANS_ERR_NEGOTIATION
    sent = take_all(server, check_status=False)
    assert sent[:2] == b"\x15\x03" and sent[3:] == bytes([0, 2, 2, alert])


def _patch_handshake_message(flight, msg_type, patch):
    """flight: plaintext TLS records. patch(body) -> {offset: new byte} for
    the body of the first handshake message of msg_type; the bytes are
    changed in place, wherever the records split the message."""
    wire = bytearray(flight)
    positions = []  # wire offset of each byte of the handshake stream
    at = 0
    while at + 5 <= len(wire):
        length = wire[at + 3] << 8 | wire[at + 4]
        if wire[at] == 22:
            positions.extend(range(at + 5, at + 5 + length))
        at += 5 + length
    stream = bytes(wire[p] for p in positions)
    i = 0
    while i + 4 <= len(stream):
        length = int.from_bytes(stream[i + 1 : i + 4], "big")
        if stream[i] == msg_type:
            for offset, value in patch(stream[i + 4 : i + 4 + length]).items():
                wire[positions[i + 4 + offset]] = value
            return bytes(wire)
        i += 4 + length
    raise AssertionError("no handshake message of type %d" % msg_type)


def _flip_last_byte_of_handshake_message(flight, msg_type):
    """flight: plaintext TLS records. Flips the last byte of the first
    handshake message of msg_type, wherever the records split it."""
    return _patch_handshake_message(flight, msg_type, lambda body: {len(body) - 1: body[-1] ^ 0x01})


def test_bad_ecdsa_signature_reports_the_tls_reason(pki):
    """A TLS 1.2 ServerKeyExchange whose ECDSA signature does not verify:
    -9809 (errSSLCrypto) and a decrypt_error alert; the detail names TLS's
    reason, not the elliptic-curve arithmetic that found it."""
    client, server = make_pair(pki.ecdsa_p256, client=dict(max_version=st.SECTRANS_PROTOCOL_TLS12))
    assert st.sectrans_handshake(client) == WOULD_BLOCK
    check(st.sectrans_feed_input(server, take_all(client)), "feed", server)
    assert st.sectrans_handshake(server) == WOULD_BLOCK
    server_key_exchange = 12
    flight = _flip_last_byte_of_handshake_message(take_all(server), server_key_exchange)
    check(st.sectrans_feed_input(client, flight), "feed", client)
    assert st.sectrans_handshake(client) == st.SECTRANS_ERR_CRYPTO
    assert "BAD_SIGNATURE" in st.sectrans_context_error_detail(client)
    assert st.sectrans_context_error_detail(client).startswith("SSL")
    alert = take_all(client, check_status=False)
    assert alert[:2] == b"\x15\x03" and alert[3:] == bytes([0, 2, 2, 51])  # decrypt_error


def _ske_signature_scheme(scheme):
    """A patch for a TLS 1.2 ECDHE ServerKeyExchange: its signature scheme
    becomes scheme (curve type, named curve, point, then the scheme)."""

    def patch(body):
        at = 4 + body[3]
        return {at: scheme >> 8, at + 1: scheme & 0xFF}

    return patch


# ecdsa_sha1 (0x0203) is not among the schemes a sectrans client offers
# (core/src/config.c, verify_prefs), so BoringSSL refuses it before it
# looks at the signature.
@pytest.mark.parametrize(
    "tamper,status,reason,alert",
    [
        (
            lambda flight: _flip_last_byte_of_handshake_message(flight, 12),
            st.SECTRANS_ERR_CRYPTO,
            "BAD_SIGNATURE",
            51,
        ),  # decrypt_error
        (
            lambda flight: _patch_handshake_message(flight, 12, _ske_signature_scheme(0x0203)),
            st.SECTRANS_ERR_PROTOCOL,
            "WRONG_SIGNATURE_TYPE",
            47,
        ),  # illegal_param
    ],
    ids=["bad-signature", "scheme-not-offered"],
)
def test_signature_failures_follow_the_ranked_translation(pki, tamper, status, reason, alert):
    """The error queue's translation (core/src/status.c) keeps the most
    specific reason: a signature that does not verify is errSSLCrypto with
    BAD_SIGNATURE, a scheme the client never offered is errSSLProtocol
    with WRONG_SIGNATURE_TYPE; each with its own alert on the wire."""
    client, server = make_pair(pki.ecdsa_p256, client=dict(max_version=st.SECTRANS_PROTOCOL_TLS12))
    assert st.sectrans_handshake(client) == WOULD_BLOCK
    check(st.sectrans_feed_input(server, take_all(client)), "feed", server)
    assert st.sectrans_handshake(server) == WOULD_BLOCK
    check(st.sectrans_feed_input(client, tamper(take_all(server))), "feed", client)
    assert st.sectrans_handshake(client) == status, describe(status, client)
    assert reason in st.sectrans_context_error_detail(client)
    wire = take_all(client, check_status=False)
    assert wire[:2] == b"\x15\x03" and wire[3:] == bytes([0, 2, 2, alert])
