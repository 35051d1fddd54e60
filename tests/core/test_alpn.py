"""ALPN on both sides: the server picks its first protocol that the client
also offers, else the connection goes on without ALPN; what was chosen is
visible on both sides."""

import helpers
import pytest
from helpers import CLIENT, SERVER, check, encode_alpn, st


def _negotiate(pki, client_alpn, server_alpn):
    client, server = helpers.make_pair(
        pki.ecdsa_p256, client=dict(alpn=client_alpn), server=dict(alpn=server_alpn)
    )
    helpers.handshake(client, server)
    chosen = check(st.sectrans_get_negotiated_alpn(client))
    assert check(st.sectrans_get_negotiated_alpn(server)) == chosen
    return chosen


@pytest.mark.parametrize(
    "client_alpn, server_alpn, chosen",
    [
        # The server's order wins over the client's.
        (["http/1.1", "spdy/3", "h2"], ["h2", "http/1.1"], b"h2"),
        (["h2", "http/1.1"], ["http/1.1", "h2"], b"http/1.1"),
        # The server's first name the client does not offer is skipped.
        (["h2", "http/1.1"], ["acme-tls/1", "http/1.1"], b"http/1.1"),
        # One common name.
        (["a", "b", "c"], ["c"], b"c"),
        # Names are compared whole: a prefix is not a match.
        (["h2c", "h2"], ["h2"], b"h2"),
        # The longest legal name.
        (["x" * 255], ["y", "x" * 255], b"x" * 255),
    ],
    ids=["server-order", "server-order-2", "skip-unoffered", "single", "prefix", "255-bytes"],
)
def test_server_picks_its_first_protocol_the_client_offers(pki, client_alpn, server_alpn, chosen):
    assert _negotiate(pki, client_alpn, server_alpn) == chosen


@pytest.mark.parametrize(
    "client_alpn, server_alpn",
    [
        (["h2"], ["http/1.1"]),  # no overlap
        (["h2c"], ["h2"]),  # prefix only
        (["h2", "http/1.1"], None),  # client only
        (None, ["h2", "http/1.1"]),  # server only
        (None, None),
    ],
    ids=["no-overlap", "prefix-only", "client-only", "server-only", "neither"],
)
def test_no_common_protocol_means_no_alpn(pki, client_alpn, server_alpn):
    assert _negotiate(pki, client_alpn, server_alpn) == b""


def test_nothing_negotiated_before_the_handshake(pki):
    client, server = helpers.make_pair(
        pki.ecdsa_p256, client=dict(alpn=["h2"]), server=dict(alpn=["h2"])
    )
    assert check(st.sectrans_get_negotiated_alpn(client)) == b""
    assert check(st.sectrans_get_negotiated_alpn(server)) == b""


def test_none_clears_the_list(pki):
    client, server = helpers.make_pair(
        pki.ecdsa_p256, client=dict(alpn=["h2"]), server=dict(alpn=["h2"])
    )
    assert st.sectrans_set_alpn(client, None) == 0
    helpers.handshake(client, server)
    assert check(st.sectrans_get_negotiated_alpn(server)) == b""


def test_alpn_over_tls12(pki):
    client, server = helpers.make_pair(
        pki.rsa2048,
        client=dict(alpn=["h2", "http/1.1"]),
        server=dict(alpn=["http/1.1"], max_version=st.SECTRANS_PROTOCOL_TLS12),
    )
    helpers.handshake(client, server)
    assert st.sectrans_get_negotiated_protocol_version(client) == (0, st.SECTRANS_PROTOCOL_TLS12)
    assert check(st.sectrans_get_negotiated_alpn(client)) == b"http/1.1"
    assert check(st.sectrans_get_negotiated_alpn(server)) == b"http/1.1"


@pytest.mark.parametrize("side", [CLIENT, SERVER])
def test_list_length_limit(side):
    # (Malformed lists: test_misuse.py.) 65535 bytes is the maximum.
    longest = encode_alpn(["x" * 255] * 255 + ["y" * 254])
    assert len(longest) == st.SECTRANS_MAX_ALPN_LENGTH == 65535
    too_long = encode_alpn(["x" * 255] * 256)
    assert len(too_long) == 65536
    ctx = helpers.make_context(side)
    config = check(st.sectrans_config_create(side))
    assert st.sectrans_set_alpn(ctx, longest) == 0
    assert st.sectrans_config_set_alpn(config, longest) == 0
    assert st.sectrans_set_alpn(ctx, too_long) == st.SECTRANS_ERR_PARAM
    assert st.sectrans_config_set_alpn(config, too_long) == st.SECTRANS_ERR_PARAM
