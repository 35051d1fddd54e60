"""Verification and ALPN through the Lua binding, against `openssl
s_server` presenting good, wrong-name, untrusted and expired leaves."""

import peers
from luarun import leaf_env, run_script


def test_verification_failures_and_names(build_dir, pki, tmp_path, reap):
    log = str(tmp_path)
    ports = {}
    for env_name, leaf in (
        ("PORT_GOOD", pki.ecdsa_p256),
        ("PORT_WRONG_NAME", pki.wrong_name),
        ("PORT_UNTRUSTED", pki.untrusted),
        ("PORT_EXPIRED", pki.expired),
    ):
        ports[env_name] = reap(peers.openssl_server(leaf, log)).port
    run_script(build_dir, "verify.lua", dict(leaf_env(pki, pki.ecdsa_p256), **ports))


def test_alpn(build_dir, pki, tmp_path, reap):
    server = reap(peers.openssl_server(pki.ecdsa_p256, str(tmp_path), extra=["-alpn", "http/1.1"]))
    run_script(build_dir, "alpn.lua", dict(leaf_env(pki, pki.ecdsa_p256), PORT_ALPN=server.port))
