"""Error model of the Lua binding: wrong types raise, bad values and
network conditions return nil, message; LuaSocket timeouts."""

from luarun import leaf_env, run_script


def test_errors_and_timeouts(build_dir, pki, tmp_path):
    ca_dir = tmp_path / "ca"
    ca_dir.mkdir()
    (ca_dir / "root.pem").write_bytes(pki.root.pem)
    env = dict(
        leaf_env(pki, pki.ecdsa_p256),
        OTHER_KEY_FILE=pki.rsa2048.key_file,
        KEY_ENCRYPTED_FILE=pki.ecdsa_p256.key_encrypted_file,
        KEY_PASSWORD=pki.password.decode(),
        CA_DIR=str(ca_dir),
    )
    run_script(build_dir, "errors.lua", env)
