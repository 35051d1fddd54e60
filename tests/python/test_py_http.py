"""Drop-in proof: http.client and urllib.request take a sectrans context
and fetch over it, from `sectrans server --www` (the CLI) and from
`openssl s_server -www`; a verification failure reaches urllib's caller."""

import http.client
import urllib.error
import urllib.request

import peers
import py_support as ps
import pytest

import sectrans


@pytest.fixture
def log_dir(tmp_path):
    return str(tmp_path)


def _page_fields(body):
    """The `key: value` lines of sectrans's --www status page."""
    return dict(line.split(": ", 1) for line in body.decode().splitlines() if ": " in line)


def test_http_client_against_sectrans_www(build_dir, reap, log_dir, leaf_ecdsa_p256):
    server = ps.start_sectrans_www(build_dir, reap, log_dir, leaf_ecdsa_p256)
    ctx = ps.sectrans_client(leaf_ecdsa_p256)
    conn = http.client.HTTPSConnection("localhost", server.port, context=ctx, timeout=ps.TIMEOUT)
    try:
        for _ in range(2):  # a keep-alive connection is not required: reconnects
            conn.request("GET", "/")
            assert isinstance(conn.sock, sectrans.SSLSocket)
            response = conn.getresponse()
            body = response.read()
            assert response.status == 200
            page = _page_fields(body)
            assert page["protocol"] == "TLSv1.3" and page["servername"] == "localhost"
    finally:
        conn.close()


@pytest.mark.parametrize("version", ["TLSv1.2", "TLSv1.3"])
def test_urlopen_against_openssl_www(reap, log_dir, leaf_rsa2048, version):
    server = reap(peers.openssl_server(leaf_rsa2048, log_dir, version=version, mode="-www"))
    ctx = ps.sectrans_client(leaf_rsa2048)
    with urllib.request.urlopen(
        "https://localhost:%d/" % server.port, context=ctx, timeout=ps.TIMEOUT
    ) as response:
        body = response.read()
    assert response.status == 200
    assert b"s_server -www" in body or b"Ciphers supported" in body
    assert version.encode() in body


def test_urlopen_verification_failure(build_dir, reap, log_dir, pki):
    server = ps.start_sectrans_www(build_dir, reap, log_dir, pki.leaves["expired"])
    ctx = ps.sectrans_client(pki.leaves["expired"])
    with pytest.raises(urllib.error.URLError) as info:
        urllib.request.urlopen(
            "https://localhost:%d/" % server.port, context=ctx, timeout=ps.TIMEOUT
        )
    reason = info.value.reason
    assert isinstance(reason, sectrans.SSLCertVerificationError)
    assert reason.status == -9814
