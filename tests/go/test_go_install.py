"""The README's Go examples, run for real: the client example as a program
outside the repository (its own module, a `replace` directive to
bindings/go, pkg-config pointing only at a `cmake --install` prefix)
against `openssl s_server -www`, and the HTTP server example against
Python's urllib."""

import os
import re
import shutil
import ssl
import subprocess
import urllib.request

import peers
from gorun import BINDING_DIR, GO_DIR, build, go_command, start_server


def test_outside_program_against_install_prefix(build_dir, pki, tmp_path):
    prefix = tmp_path / "prefix"
    subprocess.run(
        ["cmake", "--install", build_dir, "--prefix", str(prefix)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pkgconfig = prefix / "lib" / "pkgconfig"
    assert (pkgconfig / "sectrans.pc").exists(), sorted(map(str, prefix.rglob("*.pc")))
    program = tmp_path / "myprogram"
    program.mkdir()
    shutil.copy(os.path.join(GO_DIR, "examples", "client", "main.go"), program / "main.go")
    (program / "go.mod").write_text(
        "module myprogram\n\ngo 1.21\n\nrequire sectrans v0.0.0\n\n"
        "replace sectrans => %s\n" % BINDING_DIR
    )
    env = {k: v for k, v in os.environ.items() if k not in ("LD_LIBRARY_PATH", "PKG_CONFIG_PATH")}
    # A cache of its own: Go's cache would reuse a sectrans package built
    # with another pkg-config answer (the build tree's).
    env.update(
        PKG_CONFIG_LIBDIR=str(pkgconfig),
        GOTOOLCHAIN="local",
        CGO_ENABLED="1",
        GOCACHE=str(tmp_path / "go-cache"),
    )
    built = subprocess.run(
        [go_command(), "build", "-o", "client", "."],
        cwd=program,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    linked = subprocess.run(
        ["ldd", str(program / "client")], env=env, text=True, capture_output=True, check=True
    ).stdout
    library = re.search(r"libsectrans\.so\.1 => (\S+)", linked)
    assert library and library.group(1).startswith(str(prefix)), linked

    with peers.openssl_server(pki.ecdsa_p256, str(tmp_path), mode="-www") as server:
        ran = subprocess.run(
            [str(program / "client"), "-addr", "127.0.0.1:%d" % server.port, "-ca", pki.ca_file],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert ran.returncode == 0 and "HTTP/1.0 200 ok" in ran.stdout, ran.stdout + ran.stderr
    assert "TLS 1.3, TLS_" in ran.stderr, ran.stderr


def test_http_server_example(build_dir, pki, tmp_path):
    program = build(build_dir, "examples", tmp_path / "httpserver", "./httpserver")
    leaf = pki.ecdsa_p256
    server = start_server(
        [program, "-addr", "127.0.0.1:0", "-cert", leaf.cert_file, "-key", leaf.key_file],
        tmp_path,
        ready=r"listening on 127\.0\.0\.1:(\d+)",
    )
    context = ssl.create_default_context(cafile=pki.ca_file)
    with server:
        url = "https://127.0.0.1:%d/" % server.port
        with urllib.request.urlopen(url, context=context, timeout=20) as resp:
            assert resp.read() == b"hello over TLS 1.3\n"
