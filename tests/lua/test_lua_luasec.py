"""The Lua binding next to LuaSec: both loaded in one Lua state and both
working (against openssl s_server and against each other), and parameter
tables copied from LuaSec's samples accepted unchanged."""

import peers
from luarun import leaf_env, run_script


def test_luasec_and_sectrans_in_one_state(build_dir, pki, tmp_path, reap):
    server = reap(peers.openssl_server(pki.ecdsa_p256, str(tmp_path)))
    run_script(build_dir, "coexistence.lua", dict(leaf_env(pki, pki.ecdsa_p256), PORT=server.port))


def test_luasec_sample_parameter_tables(build_dir, pki):
    run_script(
        build_dir,
        "luasec_params.lua",
        dict(
            leaf_env(pki, pki.ecdsa_p256),
            CLIENT_CERT_FILE=pki.client.cert_file,
            CLIENT_KEY_FILE=pki.client.key_file,
            RSA_CERT_FILE=pki.rsa2048.cert_file,
            RSA_KEY_FILE=pki.rsa2048.key_file,
        ),
    )
