"""`sectrans demo` and the command's help, run from the build tree.

The demo needs nothing but the build: it makes a self-signed identity,
trusts it, and runs a fully verifying client against a server thread over
loopback. Each run must print what was negotiated and exit 0.
"""

import os
import re
import shutil
import subprocess

import pytest

TIMEOUT = 120

# (--key-type, the TLS 1.2 suite that key type implies)
KEY_TYPES = [
    ("ecdsa", "TLS_ECDHE_ECDSA_WITH_"),
    ("rsa", "TLS_ECDHE_RSA_WITH_"),
    ("ed25519", "TLS_ECDHE_ECDSA_WITH_"),  # EdDSA uses the ECDSA suites
]


def run(cmd, *args):
    return subprocess.run([cmd, *args], capture_output=True, text=True, timeout=TIMEOUT)


def fields(stdout):
    """The demo's "name: value" lines as a dict."""
    out = {}
    for line in stdout.splitlines():
        name, sep, value = line.partition(": ")
        if sep:
            out[name] = value
    return out


@pytest.mark.parametrize("tls12", [False, True], ids=["tls13", "tls12"])
@pytest.mark.parametrize("key_type,tls12_suite", KEY_TYPES, ids=[k for k, _ in KEY_TYPES])
def test_demo_negotiates_and_verifies(sectrans_cmd, key_type, tls12_suite, tls12):
    args = ["demo", "--key-type", key_type] + (["--tls12"] if tls12 else [])
    result = run(sectrans_cmd, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    got = fields(result.stdout)
    assert re.fullmatch(r"127\.0\.0\.1:\d+", got["loopback"])
    if tls12:
        assert got["protocol"] == "TLSv1.2"
        assert got["cipher"].startswith(tls12_suite)
    else:
        assert got["protocol"] == "TLSv1.3"
        assert got["cipher"] in (
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
        )
    # Names, not numbers: the library knows what it negotiated.
    assert not got["cipher"].startswith("0x")
    assert got["group"] in ("X25519", "P-256", "P-384")
    assert got["alpn"] == "h2"  # the server picks its first, the client's too
    assert got["verification"] == "trusted"
    assert "CN=localhost" in got["peer subject"]
    assert got["exchanged"].endswith("bytes each way")


def test_help_lists_demo(sectrans_cmd):
    result = run(sectrans_cmd, "--help")
    assert result.returncode == 0, result.stderr
    assert "usage: sectrans" in result.stdout
    assert re.search(r"^\s+demo\s", result.stdout, re.M)


def test_demo_help_lists_options(sectrans_cmd):
    result = run(sectrans_cmd, "demo", "--help")
    assert result.returncode == 0, result.stderr
    for option in ("--key-type", "ecdsa", "rsa", "ed25519", "--tls12", "--help"):
        assert option in result.stdout


@pytest.mark.parametrize(
    "args,message",
    [
        ([], "usage: sectrans"),
        (["frobnicate"], "unknown command 'frobnicate'"),
        (["demo", "--key-type", "dsa"], "unknown key type 'dsa'"),
        (["demo", "--key-type"], "option '--key-type' needs a value"),
        (["demo", "--nope"], "bad option '--nope'"),
        (["demo", "extra"], "unexpected argument 'extra'"),
    ],
)
def test_usage_errors_exit_2_with_a_message(sectrans_cmd, args, message):
    result = run(sectrans_cmd, *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_demo_failure_names_status_and_reason(sectrans_cmd):
    # No BoringSSL to load: the first call fails, and the message must say
    # which step, which status, and why.
    env = dict(os.environ, SECTRANS_BORINGSSL_DIR="/nonexistent")
    result = subprocess.run(
        [sectrans_cmd, "demo"], capture_output=True, text=True, timeout=TIMEOUT, env=env
    )
    assert result.returncode == 1
    assert re.search(r"^sectrans demo: .+: \w+ \(-\d+\): .*/nonexistent/", result.stderr, re.M), (
        result.stderr
    )


def test_setgid_program_ignores_boringssl_dir(sectrans_cmd, tmp_path):
    # A set-group-ID copy of the command runs in secure-execution mode: it
    # must not take SECTRANS_BORINGSSL_DIR (an attacker's libcrypto) from its
    # caller, so the demo still loads the built-in BoringSSL and succeeds.
    setgid = tmp_path / "sectrans-setgid"
    shutil.copy(sectrans_cmd, setgid)
    os.chown(setgid, -1, 65534)  # nogroup: the effective gid differs
    os.chmod(setgid, 0o2755)
    env = dict(os.environ, SECTRANS_BORINGSSL_DIR=str(tmp_path / "attacker"))
    result = subprocess.run(
        [str(setgid), "demo"], capture_output=True, text=True, timeout=TIMEOUT, env=env
    )
    assert result.returncode == 0, result.stderr
