"""Keying-material exporters in the ssl-shaped package (1.1):
export_keying_material and get_channel_binding ("tls-unique",
"tls-exporter") on SSLObject and SSLSocket. Peers: Python's ssl (its
tls-unique, TLS 1.2), OpenSSL's s_server -keymatexport (the exporter, over
SSLSocket), and sectrans itself on both sides."""

import re
import ssl

import peers
import py_support as ps
import pytest
from test_py_sansio import make_pair

import sectrans

LABEL = "EXPERIMENTAL-sectrans-py"


def sectrans_pair(leaf, version):
    """Two sectrans SSLObjects over MemoryBIOs, handshake done."""
    c_in, c_out, s_in, s_out = (sectrans.MemoryBIO() for _ in range(4))
    cctx = ps.sectrans_client(leaf)
    cctx.minimum_version = cctx.maximum_version = getattr(sectrans.TLSVersion, version)
    client = cctx.wrap_bio(c_in, c_out, server_hostname="localhost")
    server = ps.sectrans_server(leaf).wrap_bio(s_in, s_out, server_side=True)
    done = [False, False]
    for _ in range(20):
        for i, obj in enumerate((client, server)):
            if not done[i]:
                try:
                    obj.do_handshake()
                    done[i] = True
                except sectrans.SSLWantReadError:
                    pass
        moved = False
        for src, dst in ((c_out, s_in), (s_out, c_in)):
            if src.pending:
                dst.write(src.read())
                moved = True
        if all(done) and not moved:
            return client, server
    raise AssertionError("handshake did not finish")


@pytest.mark.parametrize("version", ["TLSv1_2", "TLSv1_3"])
def test_sectrans_both_sides(leaf_ecdsa_p256, version):
    client, server = sectrans_pair(leaf_ecdsa_p256, version)
    for args in [(LABEL, 32), (b"bytes-label", 100, b"ctx"), (LABEL, 0, b""), (LABEL, 8160)]:
        assert client.export_keying_material(*args) == server.export_keying_material(*args)
        assert len(client.export_keying_material(*args)) == args[1]
    none = client.export_keying_material(LABEL, 32)
    empty = client.export_keying_material(LABEL, 32, b"")
    assert (none == empty) == (version == "TLSv1_3")
    if version == "TLSv1_3":
        cb = client.get_channel_binding("tls-exporter")
        assert cb == server.get_channel_binding("tls-exporter")
        assert cb == client.export_keying_material("EXPORTER-Channel-Binding", 32, b"")
        assert client.get_channel_binding("tls-unique") is None
        assert client.get_channel_binding() is None
    else:
        assert client.get_channel_binding("tls-exporter") is None
        assert client.get_channel_binding() == server.get_channel_binding("tls-unique")
        assert len(client.get_channel_binding()) == 12


@pytest.mark.parametrize("side", ["client", "server"])
def test_tls_unique_matches_python_ssl(leaf_ecdsa_p256, side):
    pair = make_pair(leaf_ecdsa_p256, side, "tls12")
    assert pair.ours.get_channel_binding("tls-unique") is None  # not yet
    pair.handshake()
    ours = pair.ours.get_channel_binding("tls-unique")
    assert ours is not None and ours == pair.theirs.get_channel_binding("tls-unique")


def test_tls13_with_python_ssl(leaf_ecdsa_p256):
    pair = make_pair(leaf_ecdsa_p256, "client", "tls13")
    pair.handshake()
    assert pair.ours.version() == "TLSv1.3"
    assert len(pair.ours.get_channel_binding("tls-exporter")) == 32
    assert pair.ours.get_channel_binding("tls-unique") is None


def test_bad_inputs(leaf_ecdsa_p256):
    pair = make_pair(leaf_ecdsa_p256, "client", "tls13")
    ours = pair.ours
    with pytest.raises(ValueError, match="handshake not done"):
        ours.export_keying_material(LABEL, 32)
    with pytest.raises(ValueError, match="not implemented"):
        ours.get_channel_binding("tls-server-end-point")
    pair.handshake()
    with pytest.raises(ValueError, match="not implemented"):
        ours.get_channel_binding("nope")
    with pytest.raises(ValueError, match=r"\blabel\b"):
        ours.export_keying_material("x" * 250, 32)
    with pytest.raises(ValueError, match=r"\blength\b"):
        ours.export_keying_material(LABEL, 8161)
    with pytest.raises(ValueError, match=r"\blength\b"):
        ours.export_keying_material(LABEL, 1 << 62)
    with pytest.raises(ValueError, match=r"\bcontext\b"):
        ours.export_keying_material(LABEL, 32, b"c" * 65536)
    with pytest.raises(ValueError):
        ours.export_keying_material(LABEL, -1)
    with pytest.raises(TypeError):
        ours.export_keying_material(LABEL, "32")
    assert len(ours.export_keying_material(LABEL, 32)) == 32  # still usable
    with pytest.raises(sectrans.SSLWantReadError):
        ours.unwrap()
    assert len(ours.export_keying_material(LABEL, 32)) == 32  # half-closed: still
    pair.pump()
    pair.theirs.unwrap()
    pair.pump()
    ours.unwrap()
    with pytest.raises(ValueError, match="not connected"):
        ours.export_keying_material(LABEL, 32)  # closed
    assert ours.get_channel_binding("tls-exporter") is None
    assert sectrans.CHANNEL_BINDING_TYPES == ["tls-unique", "tls-exporter"]
    assert "tls-unique" in ssl.CHANNEL_BINDING_TYPES


@pytest.mark.parametrize("version", ["TLSv1.2", "TLSv1.3"])
def test_socket_matches_openssl(pki, tmp_path, reap, version):
    leaf = pki.leaves["ecdsa_p256"]
    extra = ("-keymatexport", LABEL, "-keymatexportlen", "40")
    server = reap(
        peers.openssl_server(leaf, str(tmp_path), version=version, extra=extra, mode=None)
    )
    ctx = ps.sectrans_client(leaf)
    with ps.connect(ctx, ("127.0.0.1", server.port)) as sock:
        assert sock.version() == version
        m = server.wait_for_output(r"Keying material: ([0-9A-Fa-f]+)")
        assert m, server.describe()
        assert sock.export_keying_material(LABEL, 40) == bytes.fromhex(m.group(1))
        cb = sock.get_channel_binding("tls-exporter" if version == "TLSv1.3" else "tls-unique")
        assert cb is not None and re.fullmatch(b".{12}|.{32}", cb, re.S)
