"""The Go binding against real peers, through tests/go/peer (built once per
session): a sectrans-Go client against `openssl s_server` and a crypto/tls
server, a sectrans-Go server against `openssl s_client` and a crypto/tls
client; verification failures with their status codes, the system store
(SSL_CERT_FILE), ALPN, client certificates, resumption, and 100 concurrent
connections with 1 MiB each way."""

import os

import peers
import pytest
from cryptography.x509.oid import NameOID
from gorun import build, leaf_args, run_json, server_reports, start_server

VERSIONS = {"tls12": ("1.2", "TLSv1.2", "TLS 1.2"), "tls13": ("1.3", "TLSv1.3", "TLS 1.3")}


@pytest.fixture(scope="module")
def peer(build_dir, tmp_path_factory):
    """The tests/go/peer program, built against the build tree."""
    return build(build_dir, "peer", tmp_path_factory.mktemp("go") / "peer")


@pytest.fixture(params=sorted(VERSIONS))
def tls_version(request):
    return VERSIONS[request.param]


def client_argv(peer, port, pki, *extra, impl="sectrans"):
    return [
        peer,
        "client",
        "-impl",
        impl,
        "-addr",
        "127.0.0.1:%d" % port,
        "-ca",
        pki.ca_file,
    ] + list(extra)


def test_client_to_openssl_server(peer, pki, tmp_path, tls_version):
    short, openssl_name, go_name = tls_version
    with peers.openssl_server(pki.ecdsa_p256, str(tmp_path), version=openssl_name) as server:
        _, (result,) = run_json(client_argv(peer, server.port, pki))
    assert result["reply"] == "olleh" and result["version"] == go_name, result
    assert result["verified_chains"] == 1 and result["server_name"] == "localhost", result


@pytest.mark.parametrize("leaf", ["rsa2048", "ed25519"])
def test_client_to_crypto_tls_server(peer, pki, tmp_path, tls_version, leaf):
    short, _, go_name = tls_version
    server = start_server(
        [peer, "server", "-impl", "gotls", "-max", short] + leaf_args(pki[leaf]), tmp_path
    )
    with server:
        _, (result,) = run_json(client_argv(peer, server.port, pki))
    assert result["reply"] == "olleh" and result["version"] == go_name, result
    common_name = pki[leaf].cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert result["peer"] == common_name, result


def test_openssl_client_to_server(peer, pki, tmp_path, tls_version):
    short, openssl_name, go_name = tls_version
    server = start_server([peer, "server", "-max", short] + leaf_args(pki.ecdsa_p256), tmp_path)
    with (
        server,
        peers.openssl_client(
            server.port, pki.ca_file, str(tmp_path), version=openssl_name
        ) as client,
    ):
        client.send(b"hello\n")
        assert client.wait_for_stdout(b"olleh\n"), client.describe()
        client.close_stdin()
        (state,) = server_reports(server, 1)
    assert state["ok"] and state["version"] == go_name and state["server_name"] == "localhost", (
        state
    )


def test_crypto_tls_client_to_server(peer, pki, tmp_path, tls_version):
    short, _, go_name = tls_version
    server = start_server([peer, "server", "-max", short] + leaf_args(pki.rsa2048), tmp_path)
    with server:
        _, (result,) = run_json(client_argv(peer, server.port, pki, impl="gotls"))
    assert result["reply"] == "olleh" and result["version"] == go_name, result


@pytest.mark.parametrize(
    "leaf,status",
    [
        ("expired", -9814),
        ("not_yet_valid", -9815),
        ("wrong_name", -9843),
        ("untrusted", -9812),
        ("incomplete", -9813),
    ],
)
def test_client_verification_failures(peer, pki, tmp_path, leaf, status):
    with peers.openssl_server(pki[leaf], str(tmp_path)) as server:
        code, (result,) = run_json(client_argv(peer, server.port, pki), expect_ok=False)
    assert code == 1 and not result["ok"] and result["status"] == status, result


def test_server_rejects_crypto_tls_client_that_distrusts_it(peer, pki, tmp_path):
    server = start_server([peer, "server", "-n", "1"] + leaf_args(pki.untrusted), tmp_path)
    with server:
        code, (result,) = run_json(
            client_argv(peer, server.port, pki, impl="gotls"), expect_ok=False
        )
        (state,) = server_reports(server, 1)
    assert code == 1 and "certificate" in result["error"], result
    assert not state["ok"] and state["status"] != 0, state


def test_nil_root_cas_uses_ssl_cert_file(peer, pki, tmp_path):
    """No -ca: the system store, which honours SSL_CERT_FILE."""
    with peers.openssl_server(pki.ecdsa_p256, str(tmp_path)) as server:
        argv = [peer, "client", "-addr", "127.0.0.1:%d" % server.port]
        env = dict(os.environ, SSL_CERT_FILE=pki.ca_file)
        env.pop("SSL_CERT_DIR", None)
        _, (result,) = run_json(argv, env=env)
        assert result["reply"] == "olleh", result
        env["SSL_CERT_FILE"] = pki.untrusted_root.file
        code, (result,) = run_json(argv, env=env, expect_ok=False)
        assert code == 1 and result["status"] in (-9812, -9813), result


def test_alpn_both_sides(peer, pki, tmp_path):
    with peers.openssl_server(pki.ecdsa_p256, str(tmp_path), extra=["-alpn", "http/1.1"]) as server:
        _, (result,) = run_json(client_argv(peer, server.port, pki, "-alpn", "h2,http/1.1"))
    assert result["alpn"] == "http/1.1", result
    server = start_server(
        [peer, "server", "-alpn", "h2,http/1.1"] + leaf_args(pki.ecdsa_p256), tmp_path
    )
    with server:
        _, (result,) = run_json(
            client_argv(peer, server.port, pki, "-alpn", "foo,http/1.1", impl="gotls")
        )
        (state,) = server_reports(server, 1)
    assert result["alpn"] == "http/1.1" and state["alpn"] == "http/1.1", (result, state)


def test_client_certificate_to_openssl_server(peer, pki, tmp_path):
    extra = ["-Verify", "1", "-CAfile", pki.ca_file, "-verify_return_error"]
    with peers.openssl_server(pki.ecdsa_p256, str(tmp_path), extra=extra) as server:
        _, (result,) = run_json(client_argv(peer, server.port, pki, *leaf_args(pki.client)))
        assert result["reply"] == "olleh", result
        code, _ = run_json(client_argv(peer, server.port, pki), expect_ok=False)
    assert code == 1


def test_server_requires_client_certificate(peer, pki, tmp_path):
    server = start_server(
        [peer, "server", "-clientauth", "-ca", pki.ca_file] + leaf_args(pki.ecdsa_p256), tmp_path
    )
    with server:
        _, (result,) = run_json(
            client_argv(peer, server.port, pki, *leaf_args(pki.client), impl="gotls")
        )
        assert result["reply"] == "olleh", result
        code, _ = run_json(client_argv(peer, server.port, pki, impl="gotls"), expect_ok=False)
        states = server_reports(server, 2)
    assert code == 1
    accepted = [s for s in states if s["ok"]]
    assert len(accepted) == 1 and accepted[0]["peer"] and accepted[0]["verified_chains"] == 1, (
        states
    )
    assert any(not s["ok"] for s in states), states


def test_resumption_against_openssl(peer, pki, tmp_path, tls_version):
    short, openssl_name, _ = tls_version
    with peers.openssl_server(pki.ecdsa_p256, str(tmp_path), version=openssl_name) as server:
        _, results = run_json(client_argv(peer, server.port, pki, "-conns", "3"))
    assert [r["resumed"] for r in results] == [False, True, True], results


def test_server_resumption_with_crypto_tls_client(peer, pki, tmp_path, tls_version):
    short, _, _ = tls_version
    server = start_server([peer, "server", "-max", short] + leaf_args(pki.ecdsa_p256), tmp_path)
    with server:
        _, results = run_json(client_argv(peer, server.port, pki, "-conns", "2", impl="gotls"))
    assert [r["resumed"] for r in results] == [False, True], results


@pytest.mark.parametrize("server_impl,client_impl", [("sectrans", "gotls"), ("gotls", "sectrans")])
def test_100_concurrent_connections_1mib_each_way(peer, pki, tmp_path, server_impl, client_impl):
    server = start_server(
        [peer, "server", "-impl", server_impl, "-mode", "echo"] + leaf_args(pki.ecdsa_p256),
        tmp_path,
    )
    with server:
        _, (result,) = run_json(
            [
                peer,
                "load",
                "-impl",
                client_impl,
                "-addr",
                "127.0.0.1:%d" % server.port,
                "-ca",
                pki.ca_file,
                "-conns",
                "100",
                "-size",
                str(1 << 20),
            ]
        )
    assert result == {"ok": True, "conns": 100, "bytes": 100 << 20}, result
