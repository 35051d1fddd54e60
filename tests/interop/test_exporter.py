"""Keying-material exporters (1.1: sectrans_export_keying_material,
sectrans_get_tls_unique), checked against OpenSSL 3's own exporter
(`openssl s_server` / `s_client -keymatexport LABEL -keymatexportlen N`,
which export with no context and print "Keying material: HEX"), both
roles, TLS 1.2 and 1.3; then both sectrans sides of a memory pair, and
the bad-input rule (NULL and wrong handles, wrong state, oversize parts).
"""

import re

import peers
import pytest
from helpers import CLIENT, SERVER, check, describe, handshake, make_context, make_pair, st

VERSIONS = ("TLSv1.2", "TLSv1.3")
LABEL = "EXPERIMENTAL-sectrans-test"
LENGTH = 48
PARAM = st.SECTRANS_ERR_PARAM
BAD_REQ = st.SECTRANS_ERR_BAD_REQ
KEYMAT = r"Keying material: ([0-9A-Fa-f]+)"


def _pin(version):
    v = peers.VERSIONS[version]["sectrans"]
    return dict(min_version=v, max_version=v)


def _export(ctx, length=LENGTH, label=LABEL, context=None, use_context=0):
    status, out = st.sectrans_export_keying_material(ctx, length, label, context, use_context)
    assert status == 0, describe(status, ctx)
    assert len(out) == length
    return out


def _peer_keymat(proc):
    m = proc.wait_for_output(KEYMAT)
    assert m, "no keying material printed: %s" % proc.describe()
    return bytes.fromhex(m.group(1))


@pytest.mark.parametrize("version", VERSIONS)
def test_sectrans_client_matches_openssl_server(version, pki, tmp_path, reap):
    if peers.tool_path("openssl") is None:
        pytest.fail("openssl is not installed", pytrace=False)
    leaf = pki.leaves["ecdsa_p256"]
    extra = ("-keymatexport", LABEL, "-keymatexportlen", str(LENGTH))
    server = reap(
        peers.openssl_server(leaf, str(tmp_path), version=version, extra=extra, mode=None)
    )
    ctx = make_context(CLIENT, anchors=pki.ca_pem, peer_name="localhost", **_pin(version))
    with peers.SectransSocket(ctx, peers.connect(server.port)) as conn:
        status = conn.handshake()
        assert status == 0, "handshake: %s\n%s" % (describe(status, ctx), server.describe())
        assert _export(ctx) == _peer_keymat(server)
        if version == "TLSv1.2":
            status, unique = st.sectrans_get_tls_unique(ctx)
            assert status == 0 and len(unique) == 12
        else:
            assert st.sectrans_get_tls_unique(ctx) == (BAD_REQ, None)


@pytest.mark.parametrize("version", VERSIONS)
def test_openssl_client_matches_sectrans_server(version, pki, tmp_path, reap):
    if peers.tool_path("openssl") is None:
        pytest.fail("openssl is not installed", pytrace=False)
    leaf = pki.leaves["ecdsa_p256"]
    listener, port = peers.listener()
    with listener:
        extra = ("-keymatexport", LABEL, "-keymatexportlen", str(LENGTH))
        client = reap(
            peers.openssl_client(port, pki.ca_file, str(tmp_path), version=version, extra=extra)
        )
        ctx = make_context(SERVER, use_config=True, identity=leaf, **_pin(version))
        with peers.SectransSocket(ctx, peers.accept(listener, client)) as conn:
            status = conn.handshake()
            assert status == 0, "handshake: %s\n%s" % (describe(status, ctx), client.describe())
            assert _export(ctx) == _peer_keymat(client)


@pytest.mark.parametrize("version", VERSIONS)
def test_both_sides_agree(version, pki):
    client, server = make_pair(pki.leaves["ecdsa_p256"], client=_pin(version))
    handshake(client, server)
    for args in [(), (b"ctx-bytes", 1), (b"", 1), (None, 0)]:
        kw = dict(zip(("context", "use_context"), args))
        assert _export(client, **kw) == _export(server, **kw)
    no_context = _export(client)
    empty_context = _export(client, context=b"", use_context=1)
    if version == "TLSv1.2":
        assert no_context != empty_context  # RFC 5705: absent != empty
        cu, su = st.sectrans_get_tls_unique(client), st.sectrans_get_tls_unique(server)
        assert cu[0] == 0 and cu == su and len(cu[1]) == 12
    else:
        assert no_context == empty_context  # RFC 8446 7.5
        assert st.sectrans_get_tls_unique(client) == (BAD_REQ, None)
        assert "TLS 1.2 only" in st.sectrans_context_error_detail(client)
    assert _export(client, label="other") != no_context
    big = _export(client, length=st.SECTRANS_EXPORTER_MAX_LENGTH)
    assert big == _export(server, length=st.SECTRANS_EXPORTER_MAX_LENGTH)
    longest = "L" * st.SECTRANS_EXPORTER_MAX_LABEL
    assert _export(client, label=longest) == _export(server, label=longest)
    assert _export(client, length=0) == b""


def _detail(ctx):
    return st.sectrans_context_error_detail(ctx)


def test_bad_inputs(pki):
    client, server = make_pair(pki.leaves["ecdsa_p256"])
    # NULL and wrong handle kinds
    assert st.sectrans_export_keying_material(None, 32, LABEL, None, 0) == (PARAM, None)
    assert st.sectrans_get_tls_unique(None) == (PARAM, None)
    # (wrong handle kinds: the module's types refuse them; tests/c/wrong_handles.c)
    # not connected
    assert st.sectrans_export_keying_material(client, 32, LABEL, None, 0) == (BAD_REQ, None)
    assert "not connected" in _detail(client)
    assert st.sectrans_get_tls_unique(client) == (BAD_REQ, None)
    handshake(client, server)
    # oversize parts, each named
    cases = [
        ((st.SECTRANS_EXPORTER_MAX_LENGTH + 1, LABEL, None, 0), "length"),
        ((1 << 40, LABEL, None, 0), "length"),
        ((32, "x" * (st.SECTRANS_EXPORTER_MAX_LABEL + 1), None, 0), "label"),
        ((32, None, None, 0), "label"),
        ((32, LABEL, b"c" * (st.SECTRANS_EXPORTER_MAX_CONTEXT + 1), 1), "context"),
    ]
    for args, part in cases:
        assert st.sectrans_export_keying_material(client, *args) == (PARAM, None), part
        assert re.search(r"\b%s\b" % part, _detail(client)), (part, _detail(client))
    # oversize context is ignored when use_context is 0 (no context)
    _export(client, context=b"c" * (st.SECTRANS_EXPORTER_MAX_CONTEXT + 1), use_context=0)
    with pytest.raises((ValueError, OverflowError)):
        st.sectrans_export_keying_material(client, -1, LABEL, None, 0)
    # still connected and working; closed: BAD_REQ
    _export(client)
    check(st.sectrans_close(client), "sectrans_close")
    assert st.sectrans_export_keying_material(client, 32, LABEL, None, 0) == (BAD_REQ, None)
    assert st.sectrans_get_tls_unique(client) == (BAD_REQ, None)
