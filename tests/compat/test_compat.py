"""Source compatibility: programs written for Apple's Secure Transport,
built with <sectrans/SecureTransport.h>, against real OpenSSL peers.

The programs in tests/compat are written in the style of three real users
of Secure Transport, with only the include line changed:

- git_stream: libgit2's stream. BreakOnServerAuth, one SSLHandshake,
  SecTrustEvaluate, and no second SSLHandshake (SSLWrite finishes it);
  blocking exact-length callbacks; HTTP/1.0 to `openssl s_server -www`.
- curl_backend: curl's backend. Non-blocking socket and poll(), short
  transfers as errSSLWouldBlock with the count, the SSLWrite(NULL, 0) flush
  loop, SSLGetBufferedReadSize, ALPN, SSLClose retried on would-block.
- rust_like: Rust's security-framework. SSLGetConnection, the trust check
  at the break with SecTrustEvaluateWithError, SSLSetPeerID plus session
  tickets and a resumed second connection (seen on the server's -www page:
  "Reused,"); and a server that picks one of two PKCS#12 identities by
  SSLCopyRequestedPeerName after BreakOnClientHello, checked by
  `openssl s_client -servername`.
- header_check: the rest of the header call by call (Apple's version rule,
  size queries, idle answers, the CF object model, offline SecTrust
  evaluation, SecPKCS12Import errors).

CMake builds them into <build>/tests/compat (tests/compat/CMakeLists.txt,
option SECTRANS_BUILD_TESTS). Each also runs once under valgrind.
"""

import os
import re
import shutil
import subprocess

import paths
import peers
import pytest
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

SUPPRESSIONS = paths.VALGRIND_SUPPRESSIONS
TIMEOUT = 60
VALGRIND_TIMEOUT = 600

pytestmark = pytest.mark.skipif(
    peers.tool_path("openssl") is None, reason="openssl (the peer) is not installed"
)


# ---- material -----------------------------------------------------------------


class Material:
    """Files the programs take: DER anchors and PKCS#12 identities (and
    the root as PEM, for openssl s_client)."""

    def __init__(self, pki, directory):
        self.password = pki.password.decode()
        self.root_der = self._write(directory, "root.der", pki.root.der)
        self.root_pem = self._write(directory, "root.pem", pki.ca_pem)
        self.intermediate_der = self._write(directory, "intermediate.der", pki.intermediate.der)
        self.leaf_der = self._write(directory, "leaf.der", pki.ecdsa_p256.leaf_der)
        self.untrusted_root_der = self._write(
            directory, "untrusted-root.der", pki.untrusted_root.der
        )
        # Two identities for SNI: localhost and other.example, each with the
        # intermediate inside, as SecPKCS12Import callers ship them.
        self.p12 = {}
        for name, leaf in (("localhost", pki.ecdsa_p256), ("other.example", pki.wrong_name)):
            blob = pkcs12.serialize_key_and_certificates(
                leaf.name.encode(),
                leaf.key,
                leaf.cert,
                [pki.intermediate.cert],
                BestAvailableEncryption(pki.password),
            )
            self.p12[name] = (self._write(directory, name + ".p12", blob), leaf)

    @staticmethod
    def _write(directory, name, data):
        path = os.path.join(directory, name)
        with open(path, "wb") as f:
            f.write(data)
        return path


@pytest.fixture(scope="module")
def material(pki, tmp_path_factory):
    return Material(pki, str(tmp_path_factory.mktemp("compat")))


def program(build_dir, name):
    path = os.path.join(build_dir, "tests", "compat", name)
    if not os.access(path, os.X_OK):
        pytest.fail(
            "%s is missing: configure with tests/compat included and "
            "SECTRANS_BUILD_TESTS=ON, then build" % path,
            pytrace=False,
        )
    return path


def run(argv, timeout=TIMEOUT):
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout)


def output(result):
    return "exit %d\n--- stdout ---\n%s--- stderr ---\n%s" % (
        result.returncode,
        result.stdout,
        result.stderr,
    )


def www_server(leaf, log_dir, extra=()):
    """`openssl s_server -www` presenting leaf on 127.0.0.1: it answers any
    GET with a status page naming the protocol, the cipher and whether the
    session was "New," or "Reused,", then closes (with close_notify)."""
    return peers.openssl_server(leaf, log_dir, extra=extra, mode="-www")


# ---- the header, call by call ----------------------------------------------------


def header_check_argv(build_dir, material):
    return [
        program(build_dir, "header_check"),
        material.root_der,
        material.leaf_der,
        material.intermediate_der,
        material.p12["localhost"][0],
        material.password,
    ]


def test_header_check(build_dir, material):
    result = run(header_check_argv(build_dir, material))
    assert result.returncode == 0, output(result)
    assert "all checks passed" in result.stdout


# ---- the libgit2-style stream ---------------------------------------------------


def git_stream_argv(build_dir, port, anchor):
    return [program(build_dir, "git_stream"), peers.LOOPBACK, str(port), "localhost", anchor]


def test_git_stream_finishes_handshake_in_write(build_dir, tmp_path, material, leaf_rsa2048):
    with www_server(leaf_rsa2048, str(tmp_path)) as server:
        result = run(git_stream_argv(build_dir, server.port, material.root_der))
    assert result.returncode == 0, output(result) + server.describe()
    out = result.stdout
    # SecTrustEvaluate: kSecTrustResultUnspecified over leaf + intermediate.
    assert "trust: 2 certificate(s), result 4" in out
    # libgit2 pins max kTLSProtocol12; the server's page agrees.
    assert "protocol: 8" in out
    assert "HTTP/1.0 200 ok" in out
    assert re.search(r"New, TLSv1\.2, Cipher is", out), out
    assert "git_stream: ok" in out


def test_git_stream_rejects_untrusted_server(build_dir, tmp_path, material, leaf_rsa2048):
    with www_server(leaf_rsa2048, str(tmp_path)) as server:
        result = run(git_stream_argv(build_dir, server.port, material.untrusted_root_der))
    # kSecTrustResultRecoverableTrustFailure: libgit2's "not trusted".
    assert result.returncode == 2, output(result)
    assert "result 5" in result.stdout
    assert "certificate not trusted" in result.stderr


# ---- the curl-style backend ------------------------------------------------------


def curl_argv(build_dir, port, anchor, chunk=None):
    argv = [program(build_dir, "curl_backend")]
    if chunk:
        argv += ["--chunk", str(chunk)]
    return argv + [peers.LOOPBACK, str(port), "localhost", anchor]


def counters(stdout):
    m = re.search(
        r"short reads (\d+), short writes (\d+), flushes (\d+), "
        r"buffered reads (\d+), close retries (\d+)",
        stdout,
    )
    assert m, stdout
    return dict(
        zip(
            ("short_reads", "short_writes", "flushes", "buffered_reads", "close_retries"),
            map(int, m.groups()),
        )
    )


@pytest.mark.parametrize("chunk", [None, 7], ids=["whole", "chunk7"])
def test_curl_backend_fetches_with_alpn(build_dir, tmp_path, material, leaf_ecdsa_p256, chunk):
    with www_server(leaf_ecdsa_p256, str(tmp_path), extra=["-alpn", "http/1.1"]) as server:
        result = run(curl_argv(build_dir, server.port, material.root_der, chunk))
    assert result.returncode == 0, output(result) + server.describe()
    out = result.stdout
    assert "protocol: TLSv1.3" in out  # max kTLSProtocol13 is accepted
    assert "ALPN: server accepted http/1.1" in out
    assert "server certificate 0: sectrans test ecdsa_p256" in out
    assert "server certificate 1: sectrans test intermediate CA" in out
    assert "curl_backend: ok" in out
    n = counters(out)
    assert n["buffered_reads"] > 0  # 512-byte reads leave data behind
    if chunk:
        # Every path of the would-block contract was taken.
        assert n["short_reads"] > 0 and n["short_writes"] > 0, n
        assert n["flushes"] > 0 and n["close_retries"] > 0, n


def test_curl_backend_without_alpn(build_dir, tmp_path, material, leaf_ecdsa_p256):
    with www_server(leaf_ecdsa_p256, str(tmp_path)) as server:
        result = run(curl_argv(build_dir, server.port, material.root_der))
    assert result.returncode == 0, output(result)
    # SSLCopyALPNProtocols: errSecParam and NULL when nothing was agreed.
    assert "ALPN: server did not agree on a protocol" in result.stdout


def test_curl_backend_rejects_untrusted_server(build_dir, tmp_path, material, leaf_ecdsa_p256):
    with www_server(leaf_ecdsa_p256, str(tmp_path)) as server:
        result = run(curl_argv(build_dir, server.port, material.untrusted_root_der))
    assert result.returncode == 1, output(result)
    assert "Invalid certificate chain" in result.stderr


# ---- the Rust security-framework-style client and server ---------------------------


def rust_client_argv(build_dir, port, domain, anchor, connections):
    return [
        program(build_dir, "rust_like"),
        "client",
        peers.LOOPBACK,
        str(port),
        domain,
        anchor,
        str(connections),
    ]


def test_rust_client_resumes_with_peer_id(build_dir, tmp_path, material, leaf_ecdsa_p256):
    with www_server(leaf_ecdsa_p256, str(tmp_path)) as server:
        result = run(rust_client_argv(build_dir, server.port, "localhost", material.root_der, 2))
    assert result.returncode == 0, output(result) + server.describe()
    out = result.stdout
    # The first connection is verified at the break; the second resumes
    # the session: no certificate, so no break, and the server says so.
    assert re.search(
        r"connection 1: New session, 1 trust break\(s\), "
        r"protocol 10,",
        out,
    ), out
    assert re.search(
        r"connection 2: Reused session, 0 trust break\(s\), "
        r"protocol 10,",
        out,
    ), out


def test_rust_client_reports_host_name_mismatch(build_dir, tmp_path, material, leaf_ecdsa_p256):
    with www_server(leaf_ecdsa_p256, str(tmp_path)) as server:
        result = run(
            rust_client_argv(build_dir, server.port, "wrong.example", material.root_der, 1)
        )
    assert result.returncode == 1, output(result)
    # SecTrustEvaluateWithError's CFError carries errSecHostNameMismatch.
    assert "server certificate rejected: -67602" in result.stderr


def rust_server_argv(build_dir, material, connections):
    (p12_a, _), (p12_b, _) = (material.p12["localhost"], material.p12["other.example"])
    return [
        program(build_dir, "rust_like"),
        "server",
        "0",
        material.password,
        "localhost",
        p12_a,
        "other.example",
        p12_b,
        str(connections),
    ]


def start_rust_server(argv, log_dir, timeout=peers.STEP_TIMEOUT):
    return peers.start_announced(
        argv,
        os.path.join(log_dir, "rust_like-server.log"),
        r"listening on (\d+)",
        name="rust_like server",
        timeout=timeout,
    )


def s_client(port, material, log_dir, server_name):
    """openssl s_client verifying fully; server_name None sends no SNI and
    checks the name localhost."""
    argv = [
        "openssl",
        "s_client",
        "-connect",
        "%s:%d" % (peers.LOOPBACK, port),
        "-CAfile",
        material.root_pem,
        "-verify_return_error",
        "-nocommands",
    ]
    if server_name is None:
        argv += ["-noservername", "-verify_hostname", "localhost"]
    else:
        argv += ["-servername", server_name, "-verify_hostname", server_name]
    return peers.PeerProcess(
        argv,
        os.path.join(log_dir, "s_client-%s.log" % (server_name or "none")),
        name="openssl s_client",
        separate_stderr=True,
    )


def talk(client, expect_name, timeout=peers.STEP_TIMEOUT):
    """Sends one line; returns once the server's answer arrived."""
    client.send(b"ping\n")
    reply = b"hello from %s: ping\n" % expect_name.encode()
    if not client.wait_for_stdout(reply, timeout=timeout):
        raise peers.PeerError("no %r: %s" % (reply, client.describe()))
    client.close_stdin()
    client.wait(timeout)


# (SNI sent, identity expected, leaf expected)
SNI_CASES = [
    ("localhost", "localhost", "ecdsa_p256"),
    ("other.example", "other.example", "wrong_name"),
    (None, "localhost", "ecdsa_p256"),
]


def test_rust_server_picks_identity_by_sni(build_dir, tmp_path, material):
    log_dir = str(tmp_path)
    server = start_rust_server(rust_server_argv(build_dir, material, len(SNI_CASES)), log_dir)
    with server:
        for sni, identity, leaf in SNI_CASES:
            with s_client(server.port, material, log_dir, sni) as client:
                talk(client, identity)
                out = client.output()
                assert "CN = sectrans test %s" % leaf in out, out
                assert "Verify return code: 0 (ok)" in out, out
        assert server.wait(peers.STEP_TIMEOUT) == 0, server.describe()
    log = server.output()
    assert "SNI localhost -> identity localhost" in log
    assert "SNI other.example -> identity other.example" in log
    assert "SNI (none) -> identity localhost" in log
    assert "rust_like server: ok" in log


# ---- valgrind -------------------------------------------------------------------


def valgrind_argv(log):
    if shutil.which("valgrind") is None:
        pytest.fail("valgrind is not installed", pytrace=False)
    return [
        "valgrind",
        "--leak-check=full",
        "--errors-for-leak-kinds=definite",
        "--error-exitcode=99",
        "--suppressions=" + SUPPRESSIONS,
        "--log-file=" + str(log),
    ]


def assert_valgrind_clean(returncode, log, what):
    report = log.read_text(errors="replace")
    assert returncode == 0, what + report
    errors = re.search(r"ERROR SUMMARY: (\d+) errors", report)
    assert errors and errors.group(1) == "0", report
    lost = re.search(r"definitely lost: ([\d,]+) bytes", report)
    assert (lost and lost.group(1) == "0") or "no leaks are possible" in report, report


@pytest.mark.parametrize("name", ["git_stream", "curl_backend", "rust_like"])
def test_client_is_valgrind_clean(build_dir, tmp_path, material, leaf_ecdsa_p256, name):
    log = tmp_path / "valgrind.log"
    with www_server(leaf_ecdsa_p256, str(tmp_path), extra=["-alpn", "http/1.1"]) as server:
        if name == "git_stream":
            argv = git_stream_argv(build_dir, server.port, material.root_der)
        elif name == "curl_backend":
            argv = curl_argv(build_dir, server.port, material.root_der, chunk=7)
        else:
            argv = rust_client_argv(build_dir, server.port, "localhost", material.root_der, 2)
        result = run(valgrind_argv(log) + argv, timeout=VALGRIND_TIMEOUT)
    assert_valgrind_clean(result.returncode, log, output(result))


def test_header_check_is_valgrind_clean(build_dir, tmp_path, material):
    log = tmp_path / "valgrind.log"
    result = run(
        valgrind_argv(log) + header_check_argv(build_dir, material), timeout=VALGRIND_TIMEOUT
    )
    assert_valgrind_clean(result.returncode, log, output(result))


def test_server_is_valgrind_clean(build_dir, tmp_path, material):
    log = tmp_path / "valgrind.log"
    log_dir = str(tmp_path)
    argv = valgrind_argv(log) + rust_server_argv(build_dir, material, 2)
    server = start_rust_server(argv, log_dir, timeout=120)
    with server:
        for sni, identity, _ in SNI_CASES[:2]:
            with s_client(server.port, material, log_dir, sni) as client:
                talk(client, identity, timeout=120)
        returncode = server.wait(120)
    assert_valgrind_clean(returncode, log, server.describe())
