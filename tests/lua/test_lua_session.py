"""The Lua binding's memory transport: sectrans.newsession, feed and take,
every receive pattern and send's index rules, resumption with setpeerid,
and a server's sni table choosing the certificate, over in-process
pairs."""

from luarun import leaf_env, run_script


def test_memory_session(build_dir, pki):
    run_script(build_dir, "memory_session.lua", leaf_env(pki, pki.ecdsa_p256))


def test_server_sni_table(build_dir, pki):
    run_script(
        build_dir,
        "sni_server.lua",
        dict(
            leaf_env(pki, pki.ecdsa_p256),
            OTHER_CERT_FILE=pki.wrong_name.cert_file,
            OTHER_KEY_FILE=pki.wrong_name.key_file,
        ),
    )
