"""net/http over the Go binding: HTTP/1.1 between a sectrans-Go server and
Python's urllib (ssl), and between a sectrans-Go client and Python's
http.server over ssl; HTTP/2 through golang.org/x/net/http2, and the
net.Conn contract through golang.org/x/net/nettest (both in the separate
module tests/go/xnet, which fetches x/net through the Go module proxy)."""

import http.server
import os
import ssl
import threading
import urllib.request

import pytest
from gorun import GO_DIR, build, go, leaf_args, run_json, start_server


@pytest.fixture(scope="module")
def peer(build_dir, tmp_path_factory):
    return build(build_dir, "peer", tmp_path_factory.mktemp("go") / "peer")


def test_python_client_to_sectrans_http_server(peer, pki, tmp_path):
    server = start_server([peer, "httpserver"] + leaf_args(pki.ecdsa_p256), tmp_path)
    context = ssl.create_default_context(cafile=pki.ca_file)
    with server:
        for path in ("/one", "/two"):
            # The certificate's IP SAN covers 127.0.0.1 (no SNI is sent).
            url = "https://127.0.0.1:%d%s" % (server.port, path)
            with urllib.request.urlopen(url, context=context, timeout=20) as resp:
                body = resp.read().decode()
            assert body == ("path=%s proto=HTTP/1.1 tls=true version=TLS 1.3 sni=\n" % path), body


class _Hello(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = ("hello from python, %s" % self.path).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_sectrans_http_client_to_python_server(peer, pki):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki.rsa2048.cert_file, pki.rsa2048.key_file)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        url = "https://127.0.0.1:%d/path" % httpd.server_address[1]
        _, (result,) = run_json([peer, "httpget", "-ca", pki.ca_file, "-url", url])
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert result == {
        "ok": True,
        "status": 200,
        "proto": "HTTP/1.1",
        "body": "hello from python, /path",
    }, result


def test_http2_with_x_net(build_dir, pki, tmp_path):
    program = build(build_dir, "xnet", tmp_path / "http2")
    leaf = pki.ecdsa_p256
    _, results = run_json([program, pki.ca_file, leaf.cert_file, leaf.key_file])
    assert [r["body"] for r in results] == ["HTTP/2.0 /a", "HTTP/2.0 /b", "HTTP/2.0 /c"], results


# nettest's PastTimeout, FutureTimeout and ConcurrentMethods expect writes
# to work again after a write timed out; TLS cannot promise that (as
# crypto/tls cannot, golang/go#46977), so the other sub-tests run by name.
CONFORMANCE = (
    "BasicIO|PingPong|RacyRead|RacyWrite|ReadTimeout|WriteTimeout|PresentTimeout|CloseTimeout"
)


def test_net_conn_conformance(build_dir):
    out = go(
        build_dir,
        [
            "test",
            "-race",
            "-count=1",
            "-timeout",
            "120s",
            "-v",
            "-run",
            "TestConnConformance/(%s)$" % CONFORMANCE,
            ".",
        ],
        os.path.join(GO_DIR, "xnet"),
        timeout=300,
    )
    for name in CONFORMANCE.split("|"):
        assert "--- PASS: TestConnConformance/%s " % name in out, out
