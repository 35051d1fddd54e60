"""`sectrans client` and `sectrans server` against real peers and each other.

Peers: `openssl s_server -rev` / `s_client`, `gnutls-serv --echo` /
`gnutls-cli` (tests/support/peers.py), and the sectrans command itself. What is
covered:

  - handshake and data both ways, in both roles, TLS 1.2 and 1.3; the
    client's report (chain with SHA-256 fingerprints, verification, version,
    cipher, group, ALPN) and the server's (what was negotiated, SNI, client
    certificate);
  - ALPN, --ciphers by name and number, --verify-client always/try with and
    without a client certificate, --p12, --www, --file, --insecure;
  - --reconnect: "resumed: no" then "resumed: yes", against sectrans server
    and openssl s_server, TLS 1.2 (tickets and session IDs) and 1.3;
  - the NSS key log (--keylog and SSLKEYLOGFILE): the format, mode 0600, and
    the same lines the OpenSSL peer logs for the same connection;
  - failures: verification errors exit 1 naming the status, usage errors
    exit 2, a silent client cannot hold the server past --timeout.

Every connection goes to 127.0.0.1; sectrans servers bind port 0 and print
the port; every process has a timeout and is killed in a finalizer.
"""

import os
import re
import stat
import subprocess

import peers
import pytest
from helpers import st

TIMEOUT = 20  # seconds for any one sectrans client run
VERSIONS = {"TLSv1.2": "1.2", "TLSv1.3": "1.3"}


# ---------------------------------------------------------------------------
# Fixtures and helpers


@pytest.fixture
def log_dir(tmp_path):
    return str(tmp_path)


def require(*tools):
    for tool in tools:
        if peers.tool_path(tool) is None:
            pytest.fail(
                "%s is not installed (Debian: apt-get install -y openssl gnutls-bin)" % tool,
                pytrace=False,
            )


def server_args(leaf):
    return ["--cert", leaf.cert_file, "--key", leaf.key_file]


def start_server(cmd, reap, log_dir, *args, name="sectrans-server"):
    """`sectrans server --bind 127.0.0.1:0 ARGS` (peers.sectrans_server),
    killed at teardown; .port is set."""
    return reap(peers.sectrans_server(cmd, log_dir, *args, name=name))


def client(cmd, port, *args, data=b"", env=None):
    """Runs `sectrans client 127.0.0.1:PORT ARGS` with data on stdin."""
    argv = [cmd, "client"] + list(args) + ["127.0.0.1:%d" % port]
    return subprocess.run(argv, input=data, capture_output=True, timeout=TIMEOUT, env=env)


def verifying(leaf):
    """Client options that verify leaf's server fully as localhost."""
    return ["--ca", leaf.ca_file, "--servername", "localhost"]


def text(result):
    return "$ %s\nexit %d\n--- stdout ---\n%s\n--- stderr ---\n%s" % (
        " ".join(result.args),
        result.returncode,
        result.stdout.decode(errors="replace"),
        result.stderr.decode(errors="replace"),
    )


def fields(output):
    """The first value of each "name: value" line (bytes or str)."""
    if isinstance(output, bytes):
        output = output.decode(errors="replace")
    out = {}
    for line in output.splitlines():
        name, sep, value = line.partition(": ")
        if sep and name not in out:
            out[name] = value
    return out


def ok(result):
    assert result.returncode == 0, text(result)
    return fields(result.stdout)


def wait_exit(proc, status=0):
    rc = proc.wait()
    assert rc == status, proc.describe()


def fingerprint(leaf):
    return leaf.sha256.hex(":").upper()


# ---------------------------------------------------------------------------
# Help and usage


def test_help_lists_client_and_server(sectrans_cmd):
    result = subprocess.run(
        [sectrans_cmd, "--help"], capture_output=True, text=True, timeout=TIMEOUT
    )
    assert result.returncode == 0
    for command in ("client", "server", "demo"):
        assert re.search(r"^\s+%s\s" % command, result.stdout, re.M)


def test_version_is_the_library_version(sectrans_cmd):
    result = subprocess.run(
        [sectrans_cmd, "--version"], capture_output=True, text=True, timeout=TIMEOUT
    )
    assert result.returncode == 0, result.stderr
    number = st.sectrans_version()  # MAJOR * 10000 + MINOR * 100 + PATCH
    assert result.stdout == "sectrans %d.%d.%d\n" % (
        number // 10000,
        number // 100 % 100,
        number % 100,
    )
    help_text = subprocess.run(
        [sectrans_cmd, "--help"], capture_output=True, text=True, timeout=TIMEOUT
    ).stdout
    assert "--version" in help_text


@pytest.mark.parametrize(
    "command,options",
    [
        (
            "client",
            (
                "--servername",
                "--alpn",
                "--ca",
                "--cert",
                "--key",
                "--min",
                "--max",
                "--insecure",
                "--reconnect",
                "--keylog",
                "--quiet",
                "SSLKEYLOGFILE",
            ),
        ),
        (
            "server",
            (
                "--bind",
                "--cert",
                "--key",
                "--p12",
                "--pass",
                "--alpn",
                "--verify-client",
                "--ca",
                "--ciphers",
                "--echo",
                "--www",
                "--file",
                "--loop",
                "--keylog",
                "--timeout",
            ),
        ),
    ],
)
def test_command_help(sectrans_cmd, command, options):
    result = subprocess.run(
        [sectrans_cmd, command, "--help"], capture_output=True, text=True, timeout=TIMEOUT
    )
    assert result.returncode == 0, result.stderr
    for option in options:
        assert option in result.stdout


@pytest.mark.parametrize(
    "args,message",
    [
        (["client"], "missing HOST:PORT"),
        (["client", "nohostport"], "is not HOST:PORT"),
        (["client", "--min", "1.1", "127.0.0.1:1"], "unknown protocol version '1.1'"),
        (["client", "--nope", "127.0.0.1:1"], "bad option '--nope'"),
        (["server"], "needs an identity"),
        (["server", "--cert", "x", "--verify-client", "sometimes"], "never, try or always"),
        (["server", "--cert", "x", "--echo", "--www"], "exclude each other"),
        (["server", "--cert", "x", "--bind", "4433"], "is not ADDR:PORT"),
        # The word at fault is named, not the command before it.
        (["client", "-connect", "127.0.0.1:1"], "bad option '-connect'"),
        (["client", "127.0.0.1:1", "-x"], "bad option '-x'"),
        (["client", "-ca", "x", "127.0.0.1:1"], "bad option '-ca' (did you mean '--ca'?)"),
        (["client", "--ca"], "option '--ca' needs a value"),
        (["client", "--insecure=yes", "127.0.0.1:1"], "option '--insecure' takes no value"),
        # --www answers in HTTP/1.x: offering h2 would strand an h2 client.
        (["server", "--cert", "x", "--www", "--alpn", "h2,http/1.1"], "--alpn cannot offer 'h2'"),
    ],
)
def test_usage_errors_exit_2(sectrans_cmd, args, message):
    result = subprocess.run([sectrans_cmd] + args, capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert result.stdout == ""


def test_unknown_cipher_name_is_a_usage_error(sectrans_cmd, leaf_ecdsa_p256):
    result = subprocess.run(
        [sectrans_cmd, "server"] + server_args(leaf_ecdsa_p256) + ["--ciphers", "TLS_NOT_A_SUITE"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert result.returncode == 2
    assert "unknown cipher suite 'TLS_NOT_A_SUITE'" in result.stderr


# ---------------------------------------------------------------------------
# sectrans client against peer servers


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_client_with_openssl_server(sectrans_cmd, reap, log_dir, version, leaf_rsa2048):
    require("openssl")
    server = reap(peers.openssl_server(leaf_rsa2048, log_dir, version=version))
    result = client(sectrans_cmd, server.port, *verifying(leaf_rsa2048), data=b"hello\nworld\n")
    got = ok(result)
    out = result.stdout.decode()
    assert got["connected"] == "127.0.0.1:%d" % server.port
    assert got["protocol"] == version
    assert not got["cipher"].startswith("0x")
    assert got["verification"] == "trusted"
    assert got["resumed"] == "no"
    # The chain as sent: the leaf, then the intermediate.
    assert "certificate 0:" in out and "certificate 1:" in out
    assert "  sha256: " + fingerprint(leaf_rsa2048) in out
    assert "CN=sectrans test rsa2048" in got["  subject"]
    assert "CN=sectrans test intermediate CA" in got["  issuer"]
    assert re.search(r"^  not after: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$", out, re.M)
    # s_server -rev answers each line reversed; the data follows "---".
    assert out.endswith("---\nolleh\ndlrow\n"), text(result)


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_client_with_gnutls_server(sectrans_cmd, reap, log_dir, version, leaf_ed25519):
    require("gnutls-serv")
    server = reap(peers.gnutls_server(leaf_ed25519, log_dir, version=version))
    result = client(
        sectrans_cmd, server.port, "--quiet", *verifying(leaf_ed25519), data=b"echo me\n"
    )
    assert result.returncode == 0, text(result)
    assert result.stdout == b"echo me\n"  # --quiet: only data


def test_client_alpn_with_openssl_server(sectrans_cmd, reap, log_dir, leaf_ecdsa_p256):
    require("openssl")
    server = reap(peers.openssl_server(leaf_ecdsa_p256, log_dir, extra=["-alpn", "h2"]))
    got = ok(client(sectrans_cmd, server.port, "--alpn", "spdy/1,h2", *verifying(leaf_ecdsa_p256)))
    assert got["alpn"] == "h2"


@pytest.mark.parametrize(
    "leaf_name,status",
    [
        ("untrusted", "errSSLUnknownRootCert"),
        ("expired", "errSSLCertExpired"),
        ("wrong_name", "errSSLHostNameMismatch"),
    ],
)
def test_client_verification_failure(sectrans_cmd, reap, log_dir, pki, leaf_name, status):
    require("openssl")
    leaf = pki.leaves[leaf_name]
    server = reap(peers.openssl_server(leaf, log_dir))
    result = client(sectrans_cmd, server.port, *verifying(leaf), data=b"x\n")
    assert result.returncode == 1, text(result)
    assert re.search(
        r"^sectrans client: handshake: %s \(-98\d\d\): .+" % status, result.stderr.decode(), re.M
    ), text(result)
    # The chain that failed is still shown.
    assert "sha256: " + fingerprint(leaf) in result.stdout.decode()


def test_client_insecure_warns_and_connects(sectrans_cmd, reap, log_dir, leaf_untrusted):
    require("openssl")
    server = reap(peers.openssl_server(leaf_untrusted, log_dir))
    result = client(sectrans_cmd, server.port, "--insecure", data=b"abc\n")
    got = ok(result)
    assert "WARNING: --insecure" in result.stderr.decode()
    assert got["verification"].startswith("not evaluated")
    assert result.stdout.endswith(b"cba\n")


# ---------------------------------------------------------------------------
# sectrans server against peer clients


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_server_echo_with_openssl_client(sectrans_cmd, reap, log_dir, version, leaf_ecdsa_p384):
    require("openssl")
    server = start_server(
        sectrans_cmd,
        reap,
        log_dir,
        "--echo",
        "--max",
        VERSIONS[version],
        *server_args(leaf_ecdsa_p384),
    )
    peer = reap(peers.openssl_client(server.port, leaf_ecdsa_p384.ca_file, log_dir))
    peer.send(b"ping from openssl\n")
    assert peer.wait_for_stdout(b"ping from openssl\n"), peer.describe()
    peer.close_stdin()  # s_client sends close_notify at end of input
    wait_exit(server, 0)
    got = fields(server.stdout())
    assert got["protocol"] == version
    assert got["servername"] == "localhost"
    assert got["client certificate"] == "none"
    assert re.search(r"Verification: OK", peer.output()), peer.describe()


def test_server_echo_with_gnutls_client(sectrans_cmd, reap, log_dir, leaf_rsa2048):
    require("gnutls-cli")
    server = start_server(sectrans_cmd, reap, log_dir, "--echo", *server_args(leaf_rsa2048))
    peer = reap(peers.gnutls_client(server.port, leaf_rsa2048.ca_file, log_dir))
    peer.send(b"ping from gnutls\n")
    assert peer.wait_for_stdout(b"ping from gnutls\n"), peer.describe()
    peer.close_stdin()
    wait_exit(server, 0)
    assert fields(server.stdout())["protocol"] == "TLSv1.3"


def test_server_prints_what_the_client_sends(sectrans_cmd, reap, log_dir, leaf_ecdsa_p256):
    # Default mode: the client's data to stdout, stdin to the client.
    require("openssl")
    server = start_server(sectrans_cmd, reap, log_dir, *server_args(leaf_ecdsa_p256))
    server.send(b"from the server\n")
    peer = reap(peers.openssl_client(server.port, leaf_ecdsa_p256.ca_file, log_dir))
    assert peer.wait_for_stdout(b"from the server\n"), peer.describe()
    peer.send(b"from the client\n")
    assert server.wait_for_stdout(b"---\nfrom the client\n"), server.describe()
    peer.close_stdin()
    wait_exit(server, 0)


def test_server_alpn_with_openssl_client(sectrans_cmd, reap, log_dir, leaf_ecdsa_p256):
    require("openssl")
    server = start_server(
        sectrans_cmd,
        reap,
        log_dir,
        "--echo",
        "--alpn",
        "h2,http/1.1",
        *server_args(leaf_ecdsa_p256),
    )
    peer = reap(
        peers.openssl_client(
            server.port, leaf_ecdsa_p256.ca_file, log_dir, extra=["-alpn", "http/1.1"]
        )
    )
    assert peer.wait_for_output(r"ALPN protocol: http/1\.1"), peer.describe()
    peer.close_stdin()
    wait_exit(server, 0)
    assert fields(server.stdout())["alpn"] == "http/1.1"


# ---------------------------------------------------------------------------
# sectrans client <-> sectrans server


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_client_and_server_echo(sectrans_cmd, reap, log_dir, version, leaf_ecdsa_p256):
    server = start_server(
        sectrans_cmd,
        reap,
        log_dir,
        "--echo",
        "--alpn",
        "h2,http/1.1",
        *server_args(leaf_ecdsa_p256),
    )
    data = os.urandom(200000)  # many records, binary
    result = client(
        sectrans_cmd,
        server.port,
        "--quiet",
        "--max",
        VERSIONS[version],
        "--alpn",
        "http/1.1,h2",
        *verifying(leaf_ecdsa_p256),
        data=data,
    )
    assert result.returncode == 0, text(result)
    assert result.stdout == data
    wait_exit(server, 0)
    got = fields(server.stdout())
    assert got["protocol"] == version
    assert got["alpn"] == "h2"  # the server's preference


def test_ip_literal_is_verified_but_not_sent(sectrans_cmd, reap, log_dir, leaf_ip_only):
    # No --servername: the host 127.0.0.1 is checked against the IP SAN,
    # and no SNI goes out (RFC 6066 forbids IP literals there).
    server = start_server(sectrans_cmd, reap, log_dir, "--echo", *server_args(leaf_ip_only))
    got = ok(client(sectrans_cmd, server.port, "--ca", leaf_ip_only.ca_file, data=b"ip\n"))
    assert got["verification"] == "trusted"
    wait_exit(server, 0)
    assert fields(server.stdout())["servername"] == "(none)"


def test_ciphers_by_name_and_number(sectrans_cmd, reap, log_dir, leaf_ecdsa_p256):
    server = start_server(
        sectrans_cmd,
        reap,
        log_dir,
        "--echo",
        "--max",
        "1.2",
        "--ciphers",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,0xcca9",
        *server_args(leaf_ecdsa_p256),
    )
    got = ok(client(sectrans_cmd, server.port, "--ciphers", "52393", *verifying(leaf_ecdsa_p256)))
    assert got["cipher"] == "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"


def test_www(sectrans_cmd, reap, log_dir, leaf_ecdsa_p256):
    require("openssl")
    server = start_server(sectrans_cmd, reap, log_dir, "--www", *server_args(leaf_ecdsa_p256))
    peer = reap(
        peers.openssl_client(server.port, leaf_ecdsa_p256.ca_file, log_dir, extra=["-quiet"])
    )
    peer.send(b"GET / HTTP/1.0\r\n\r\n")
    assert peer.wait_for_stdout(b"client certificate: none\n"), peer.describe()
    wait_exit(server, 0)
    reply = peer.stdout()
    assert reply.startswith(b"HTTP/1.0 200 OK\r\n"), reply
    head, _, body = reply.partition(b"\r\n\r\n")
    assert b"Content-Length: %d\r\n" % len(body) in head
    page = fields(body)
    assert page["protocol"] == "TLSv1.3"
    assert page["servername"] == "localhost"


def test_www_with_alpn_answers_an_h2_capable_client(sectrans_cmd, reap, log_dir, leaf_ecdsa_p256):
    # The client offers h2 first; the server may only pick what --www speaks.
    require("openssl")
    server = start_server(
        sectrans_cmd, reap, log_dir, "--www", "--alpn", "http/1.1", *server_args(leaf_ecdsa_p256)
    )
    peer = reap(
        peers.openssl_client(
            server.port, leaf_ecdsa_p256.ca_file, log_dir, extra=["-alpn", "h2,http/1.1"]
        )
    )
    assert peer.wait_for_output(r"ALPN protocol: http/1\.1"), peer.describe()
    peer.send(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
    assert peer.wait_for_stdout(b"client certificate: none\n"), peer.describe()
    wait_exit(server, 0)
    # s_client prints the session first; the reply follows.
    _, status_line, reply = peer.stdout().partition(b"HTTP/1.0 200 OK\r\n")
    assert status_line, peer.describe()
    assert fields(reply.partition(b"\r\n\r\n")[2])["alpn"] == "http/1.1"


def test_file(sectrans_cmd, reap, log_dir, tmp_path, leaf_ecdsa_p256):
    content = os.urandom(100000)
    path = tmp_path / "content.bin"
    path.write_bytes(content)
    server = start_server(
        sectrans_cmd, reap, log_dir, "--file", str(path), *server_args(leaf_ecdsa_p256)
    )
    result = client(sectrans_cmd, server.port, "--quiet", *verifying(leaf_ecdsa_p256))
    assert result.returncode == 0, text(result)
    assert result.stdout == content
    wait_exit(server, 0)


def test_p12_identity(sectrans_cmd, reap, log_dir, tmp_path, leaf_ecdsa_p256):
    require("openssl")
    p12 = str(tmp_path / "server.p12")
    subprocess.run(
        [
            "openssl",
            "pkcs12",
            "-export",
            "-in",
            leaf_ecdsa_p256.cert_file,
            "-inkey",
            leaf_ecdsa_p256.key_file,
            "-out",
            p12,
            "-passout",
            "pass:p12-secret",
        ],
        check=True,
        capture_output=True,
        timeout=TIMEOUT,
    )
    server = start_server(
        sectrans_cmd, reap, log_dir, "--echo", "--p12", p12, "--pass", "p12-secret"
    )
    result = client(sectrans_cmd, server.port, *verifying(leaf_ecdsa_p256), data=b"p12\n")
    got = ok(result)
    assert got["verification"] == "trusted"
    assert "sha256: " + fingerprint(leaf_ecdsa_p256) in result.stdout.decode()
    assert result.stdout.endswith(b"---\np12\n")
    # The wrong password is a clear failure before listening.
    bad = subprocess.run(
        [sectrans_cmd, "server", "--bind", "127.0.0.1:0", "--p12", p12, "--pass", "wrong"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert bad.returncode == 1
    assert "(-25293)" in bad.stderr and "listening" not in bad.stdout


# ---------------------------------------------------------------------------
# Client certificates


def openssl_client_cert(leaf):
    return ["-cert", leaf.leaf_file, "-key", leaf.key_file, "-cert_chain", leaf.chain_file]


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_verify_client_always_with_certificate(
    sectrans_cmd, reap, log_dir, version, leaf_ecdsa_p256, leaf_client
):
    require("openssl")
    server = start_server(
        sectrans_cmd,
        reap,
        log_dir,
        "--echo",
        "--verify-client",
        "always",
        "--ca",
        leaf_client.ca_file,
        "--max",
        VERSIONS[version],
        *server_args(leaf_ecdsa_p256),
    )
    peer = reap(
        peers.openssl_client(
            server.port, leaf_ecdsa_p256.ca_file, log_dir, extra=openssl_client_cert(leaf_client)
        )
    )
    peer.send(b"with a certificate\n")
    assert peer.wait_for_stdout(b"with a certificate\n"), peer.describe()
    peer.close_stdin()
    wait_exit(server, 0)
    got = fields(server.stdout())
    assert "CN=sectrans test client" in got["client certificate"]
    assert got["verification"] == "trusted"


def test_verify_client_always_without_certificate(
    sectrans_cmd, reap, log_dir, leaf_ecdsa_p256, leaf_client
):
    require("openssl")
    server = start_server(
        sectrans_cmd,
        reap,
        log_dir,
        "--echo",
        "--verify-client",
        "always",
        "--ca",
        leaf_client.ca_file,
        *server_args(leaf_ecdsa_p256),
    )
    peer = reap(peers.openssl_client(server.port, leaf_ecdsa_p256.ca_file, log_dir))
    peer.send(b"no certificate\n")
    wait_exit(server, 1)
    assert re.search(
        r"^sectrans server: connection 1: handshake: \w+ \(-\d+\)", server.output(), re.M
    ), server.describe()
    assert peer.wait_for_output(r"alert"), peer.describe()
    assert b"no certificate" not in peer.stdout()


def test_verify_client_try_and_sectrans_client_identity(
    sectrans_cmd, reap, log_dir, leaf_ecdsa_p256, leaf_client
):
    server = start_server(
        sectrans_cmd,
        reap,
        log_dir,
        "--echo",
        "--loop",
        "--verify-client",
        "try",
        "--ca",
        leaf_client.ca_file,
        *server_args(leaf_ecdsa_p256),
    )
    without = ok(client(sectrans_cmd, server.port, *verifying(leaf_ecdsa_p256), data=b"a\n"))
    assert without["client certificate"] == "requested, none sent"
    with_cert = ok(
        client(
            sectrans_cmd,
            server.port,
            *verifying(leaf_ecdsa_p256),
            "--cert",
            leaf_client.cert_file,
            "--key",
            leaf_client.key_file,
            data=b"b\n",
        )
    )
    assert with_cert["client certificate"] == "sent"
    log = server.stdout().decode()
    assert re.findall(r"^client certificate: (.*)$", log, re.M) == ["none", leaf_client.subject], (
        log
    )


# ---------------------------------------------------------------------------
# Resumption


def resumed_lines(result):
    return re.findall(r"^resumed: (\w+)$", result.stdout.decode(), re.M)


@pytest.mark.parametrize(
    "version,tickets",
    [("TLSv1.2", True), ("TLSv1.2", False), ("TLSv1.3", True)],
    ids=["tls12-tickets", "tls12-session-ids", "tls13"],
)
def test_reconnect_resumes_with_sectrans_server(
    sectrans_cmd, reap, log_dir, version, tickets, leaf_ecdsa_p256
):
    server = start_server(
        sectrans_cmd, reap, log_dir, "--echo", "--loop", *server_args(leaf_ecdsa_p256)
    )
    args = ["--reconnect", "--max", VERSIONS[version]]
    args += [] if tickets else ["--no-tickets"]
    result = client(sectrans_cmd, server.port, *args, *verifying(leaf_ecdsa_p256), data=b"again\n")
    assert result.returncode == 0, text(result)
    assert resumed_lines(result) == ["no", "yes"], text(result)
    assert result.stdout.endswith(b"---\nagain\n")
    server_log = server.stdout().decode()
    assert re.findall(r"^resumed: (\w+)$", server_log, re.M) == ["no", "yes"]


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_reconnect_resumes_with_openssl_server(
    sectrans_cmd, reap, log_dir, version, leaf_ecdsa_p256
):
    require("openssl")
    server = reap(peers.openssl_server(leaf_ecdsa_p256, log_dir, version=version))
    result = client(
        sectrans_cmd, server.port, "--reconnect", *verifying(leaf_ecdsa_p256), data=b"again\n"
    )
    assert result.returncode == 0, text(result)
    assert resumed_lines(result) == ["no", "yes"], text(result)
    assert re.findall(r"^protocol: (.*)$", result.stdout.decode(), re.M) == [version, version]
    assert result.stdout.endswith(b"---\nniaga\n")


# ---------------------------------------------------------------------------
# The NSS key log

HEX = r"[0-9a-f]"
TLS12_LINE = r"CLIENT_RANDOM %s{64} %s{96}" % (HEX, HEX)
TLS13_LABELS = (
    "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
    "SERVER_HANDSHAKE_TRAFFIC_SECRET",
    "CLIENT_TRAFFIC_SECRET_0",
    "SERVER_TRAFFIC_SECRET_0",
)


def keylog_lines(path):
    with open(path) as f:
        data = f.read()
    assert data.endswith("\n"), repr(data)
    return data.splitlines()


def check_keylog(ours, theirs, version):
    """ours: the sectrans file; theirs: the OpenSSL peer's, for the same
    connection. Our lines have the NSS format and the peer logged each one
    identically (same client random, same secrets)."""
    lines = keylog_lines(ours)
    if version == "TLSv1.2":
        assert len(lines) == 1 and re.fullmatch(TLS12_LINE, lines[0]), lines
    else:
        labels = [line.split(" ")[0] for line in lines]
        for label in TLS13_LABELS:
            assert labels.count(label) == 1, lines
        randoms = {line.split(" ")[1] for line in lines}
        assert len(randoms) == 1, lines
        for line in lines:
            assert re.fullmatch(r"[A-Z_0-9]+ %s{64} %s{64}(%s{32})?" % (HEX, HEX, HEX), line), line
    assert os.stat(ours).st_mode & 0o777 == 0o600
    peer_lines = set(keylog_lines(theirs))
    assert set(lines) <= peer_lines, (lines, peer_lines)


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_client_keylog_matches_openssl_server(
    sectrans_cmd, reap, log_dir, tmp_path, version, leaf_ecdsa_p256
):
    require("openssl")
    ours, theirs = str(tmp_path / "client.keys"), str(tmp_path / "openssl.keys")
    server = reap(
        peers.openssl_server(
            leaf_ecdsa_p256, log_dir, version=version, extra=["-keylogfile", theirs]
        )
    )
    result = client(
        sectrans_cmd, server.port, "--keylog", ours, *verifying(leaf_ecdsa_p256), data=b"k\n"
    )
    assert result.returncode == 0, text(result)
    assert "logging TLS secrets to " + ours in result.stderr.decode()
    check_keylog(ours, theirs, version)


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_server_sslkeylogfile_matches_openssl_client(
    sectrans_cmd, reap, log_dir, tmp_path, version, leaf_ecdsa_p256, monkeypatch
):
    require("openssl")
    ours, theirs = str(tmp_path / "server.keys"), str(tmp_path / "openssl.keys")
    monkeypatch.setenv("SSLKEYLOGFILE", ours)  # inherited by the server
    server = start_server(
        sectrans_cmd,
        reap,
        log_dir,
        "--echo",
        "--max",
        VERSIONS[version],
        *server_args(leaf_ecdsa_p256),
    )
    monkeypatch.delenv("SSLKEYLOGFILE")
    peer = reap(
        peers.openssl_client(
            server.port, leaf_ecdsa_p256.ca_file, log_dir, extra=["-keylogfile", theirs]
        )
    )
    peer.send(b"k\n")
    assert peer.wait_for_stdout(b"k\n"), peer.describe()
    peer.close_stdin()
    wait_exit(server, 0)
    check_keylog(ours, theirs, version)


def test_keylog_option_wins_over_environment(
    sectrans_cmd, reap, log_dir, tmp_path, leaf_ecdsa_p256
):
    server = start_server(sectrans_cmd, reap, log_dir, "--echo", *server_args(leaf_ecdsa_p256))
    env_file, option_file = tmp_path / "env.keys", tmp_path / "option.keys"
    env = dict(os.environ, SSLKEYLOGFILE=str(env_file))
    result = client(
        sectrans_cmd,
        server.port,
        "--keylog",
        str(option_file),
        *verifying(leaf_ecdsa_p256),
        data=b"k\n",
        env=env,
    )
    assert result.returncode == 0, text(result)
    assert not env_file.exists()
    assert len(keylog_lines(option_file)) >= 4
    # Appending: a second connection adds lines, never truncates.
    before = option_file.read_text()
    server2 = start_server(
        sectrans_cmd, reap, log_dir, "--echo", *server_args(leaf_ecdsa_p256), name="second"
    )
    ok(
        client(
            sectrans_cmd,
            server2.port,
            "--keylog",
            str(option_file),
            *verifying(leaf_ecdsa_p256),
            data=b"k\n",
        )
    )
    assert option_file.read_text().startswith(before)
    assert len(option_file.read_text()) > len(before)
    assert stat.S_IMODE(os.stat(option_file).st_mode) == 0o600


# ---------------------------------------------------------------------------
# Timeouts


def test_server_times_out_a_silent_client(sectrans_cmd, reap, log_dir, leaf_ecdsa_p256):
    server = reap(
        peers.sectrans_server(
            sectrans_cmd, log_dir, "--echo", *server_args(leaf_ecdsa_p256), name="silent", timeout=1
        )
    )
    with peers.connect(server.port):  # connects, never says a word
        wait_exit(server, 1)
    assert "errSSLNetworkTimeout" in server.output() or "(-9853)" in server.output(), (
        server.describe()
    )
