"""OCSP stapling and sectrans_set_error (docs/secure-transport.md, "ALPN,
OCSP and sectrans_set_error"; header: sectrans_set_ocsp_response, sectrans_copy_ocsp_response,
sectrans_set_error), over memory pairs, TLS 1.2 and 1.3.

  - a client always asks for a staple (status_request in its ClientHello);
  - a server stapling a DER OCSP response (made with cryptography's
    OCSPResponseBuilder, signed by the leaf's issuing CA): the client reads
    exactly those bytes; without a staple the client reads b"";
  - sectrans_set_error at a BreakOnServerAuth break (Secure Transport's way
    to refuse a server): SECTRANS_ERR_CERTIFICATE_EXPIRED sends
    certificate_expired (the server reports -9828), _REVOKED sends
    certificate_revoked (-9827); the handshake returns the given status,
    and so does every later call; the context is aborted;
  - any other status sends nothing: it is returned, the context is
    aborted, the server is left waiting;
  - status 0 is -50.
"""

import pytest
from auth_support import EXT_STATUS_REQUEST, client_hello, ocsp_response
from cryptography.x509 import ocsp
from helpers import (
    WOULD_BLOCK,
    check,
    describe,
    drive_handshake,
    handshake,
    make_pair,
    st,
    take_all,
)

TLS12 = st.SECTRANS_PROTOCOL_TLS12
TLS13 = st.SECTRANS_PROTOCOL_TLS13
ABORTED = st.SECTRANS_STATE_ABORTED


def pair(pki, version):
    return make_pair(pki.ecdsa_p256, client=dict(min_version=version, max_version=version))


# ---------------------------------------------------------------------------
# OCSP


def test_client_asks_for_a_staple(pki):
    client, _ = pair(pki, TLS13)
    assert st.sectrans_handshake(client) == WOULD_BLOCK
    hello = client_hello(take_all(client))
    assert EXT_STATUS_REQUEST in hello.extensions


def test_stapled_response_reaches_the_client(pki, version):
    response = ocsp_response(pki.ecdsa_p256, pki)
    client, server = pair(pki, version)
    check(st.sectrans_set_ocsp_response(server, response), "sectrans_set_ocsp_response", server)
    assert check(st.sectrans_copy_ocsp_response(client)) == b""  # nothing yet
    handshake(client, server)
    got = check(st.sectrans_copy_ocsp_response(client))
    assert got == response
    parsed = ocsp.load_der_ocsp_response(got)
    assert parsed.serial_number == pki.ecdsa_p256.cert.serial_number


def test_no_staple_gives_empty(pki, version):
    client, server = pair(pki, version)
    handshake(client, server)
    assert check(st.sectrans_copy_ocsp_response(client)) == b""


# ---------------------------------------------------------------------------
# sectrans_set_error


def stopped_client(pki, version):
    client, server = pair(pki, version)
    check(
        st.sectrans_set_session_option(client, st.SECTRANS_OPTION_BREAK_ON_SERVER_AUTH, 1),
        "set_session_option",
        client,
    )
    got = drive_handshake(client, server)
    assert got == (st.SECTRANS_PEER_AUTH_COMPLETED, WOULD_BLOCK), describe(got[0], client)
    return client, server


def assert_terminal(ctx, status):
    assert st.sectrans_get_session_state(ctx) == (0, ABORTED)
    assert st.sectrans_handshake(ctx) == status
    assert st.sectrans_write(ctx, b"data") == (status, 0)
    assert st.sectrans_read(ctx, bytearray(16)) == (status, 0)


@pytest.mark.parametrize(
    "status, server_sees",
    [
        (st.SECTRANS_ERR_CERTIFICATE_EXPIRED, st.SECTRANS_ERR_PEER_CERT_EXPIRED),
        (st.SECTRANS_ERR_CERTIFICATE_REVOKED, st.SECTRANS_ERR_PEER_CERT_REVOKED),
    ],
    ids=["expired", "revoked"],
)
def test_set_error_sends_its_alert(pki, version, status, server_sees):
    client, server = stopped_client(pki, version)
    check(st.sectrans_set_error(client, status), "sectrans_set_error", client)
    assert st.sectrans_handshake(client) == status
    alert = take_all(client)
    assert alert, "no alert was sent"
    check(st.sectrans_feed_input(server, alert), "feed_input", server)
    got = st.sectrans_handshake(server)
    assert got == server_sees, describe(got, server)
    assert_terminal(client, status)


def test_set_error_with_another_status_sends_nothing(pki, version):
    status = st.SECTRANS_ERR_X_CERT_CHAIN_INVALID
    client, server = stopped_client(pki, version)
    check(st.sectrans_set_error(client, status), "sectrans_set_error", client)
    assert st.sectrans_handshake(client) == status
    assert take_all(client) == b""
    assert st.sectrans_handshake(server) == WOULD_BLOCK
    assert_terminal(client, status)


def test_set_error_zero_is_param(pki):
    client, _ = pair(pki, TLS13)
    assert st.sectrans_set_error(client, 0) == st.SECTRANS_ERR_PARAM
