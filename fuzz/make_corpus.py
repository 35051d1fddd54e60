#!/usr/bin/env python3
"""Regenerates the seed corpora of the fuzz targets, fuzz/corpus/<target>/.

- fuzz/pki/: a root, an intermediate and an ECDSA P-256 leaf for localhost
  (and an RSA one), made with openssl once; kept when present so that the
  seeds are reproducible (--new-pki remakes them). Test-only keys.
- server_bytes: ClientHellos of `openssl s_client` and `gnutls-cli`, as a
  server sees them (a plain TCP listener records what arrives).
- client_bytes: TLS 1.2 server flights of `openssl s_server` and
  `gnutls-serv` in answer to a recorded TLS 1.2 ClientHello of BoringSSL's
  `bssl-tool client` (android-boringssl; the randoms
  differ from the fuzzed client's, so a flight parses but cannot complete
  a handshake).
- identity_inputs: the PEM, DER and PKCS#12 files of fuzz/pki, encoded as
  fuzz/identity_inputs.c reads them.
- trust_evaluation: the chain of fuzz/pki, as fuzz/trust_evaluation.c reads it.
- api_calls, apple_calls: call sequences that run whole handshakes and
  exchanges between the two slots (see those files for the op codes).

Usage: fuzz/make_corpus.py [--new-pki]. Needs openssl, gnutls-bin and
android-boringssl.
"""

import shutil
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
PKI = FUZZ / "pki"
CORPUS = FUZZ / "corpus"
PASSWORD = b"fuzz-password"
DAYS = "7300"  # past FUZZ_VERIFY_TIME (2030) in fuzz_common.h


def run(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, **kw).stdout


def openssl(*args):
    return run("openssl", *args, cwd=PKI)


def make_pki():
    shutil.rmtree(PKI, ignore_errors=True)
    PKI.mkdir()
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes")
    (PKI / "ext.cnf").write_text(
        "[ca]\nbasicConstraints=critical,CA:TRUE\n"
        "keyUsage=critical,keyCertSign,cRLSign\n"
        "[leaf]\nbasicConstraints=critical,CA:FALSE\n"
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth,clientAuth\n"
    )
    root = ["-subj", "/CN=Fuzz Root", "-days", DAYS]
    root += ["-addext", "basicConstraints=critical,CA:TRUE"]
    root += ["-addext", "keyUsage=critical,keyCertSign,cRLSign"]
    openssl("req", "-x509", *ec, "-keyout", "root.key", "-out", "root.pem", *root)
    for name, issuer, ext, key in (
        ("intermediate", "root", "ca", ec),
        ("leaf", "intermediate", "leaf", ec),
        ("rsa-leaf", "intermediate", "leaf", ("-newkey", "rsa:2048", "-nodes")),
    ):
        subject = "/CN=localhost" if "leaf" in name else "/CN=Fuzz Intermediate"
        openssl(
            "req", "-new", *key, "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", subject
        )
        ca = ["-CA", f"{issuer}.pem", "-CAkey", f"{issuer}.key", "-CAcreateserial"]
        ext = ["-extfile", "ext.cnf", "-extensions", ext]
        openssl(
            "x509", "-req", "-in", f"{name}.csr", *ca, "-days", DAYS, *ext, "-out", f"{name}.pem"
        )
        (PKI / f"{name}.csr").unlink()
    (PKI / "root.srl").unlink(missing_ok=True)
    (PKI / "intermediate.srl").unlink(missing_ok=True)
    (PKI / "ext.cnf").unlink()
    pw = "pass:" + PASSWORD.decode()
    openssl("x509", "-in", "leaf.pem", "-outform", "DER", "-out", "leaf.der")
    openssl(
        "pkcs8", "-topk8", "-nocrypt", "-in", "leaf.key", "-outform", "DER", "-out", "leaf.key.der"
    )
    openssl(
        "rsa", "-in", "rsa-leaf.key", "-traditional", "-outform", "DER", "-out", "rsa-leaf.key.der"
    )
    openssl("x509", "-in", "rsa-leaf.pem", "-outform", "DER", "-out", "rsa-leaf.der")
    openssl("pkcs8", "-topk8", "-in", "leaf.key", "-passout", pw, "-out", "leaf.key.enc.pem")
    (PKI / "chain.pem").write_bytes(
        (PKI / "leaf.pem").read_bytes() + (PKI / "intermediate.pem").read_bytes()
    )
    openssl(
        "pkcs12",
        "-export",
        "-in",
        "chain.pem",
        "-inkey",
        "leaf.key",
        "-passout",
        pw,
        "-out",
        "leaf.p12",
    )
    openssl("pkcs12", "-export", "-legacy", "-in", "rsa-leaf.pem", "-inkey", "rsa-leaf.key",
            "-passout", pw, "-out", "rsa-leaf-legacy.p12")  # fmt: skip
    for name in ("root", "intermediate"):
        openssl("x509", "-in", f"{name}.pem", "-outform", "DER", "-out", f"{name}.der")
        (PKI / f"{name}.key").unlink()  # only the leaves' keys are used


def write_seeds(target, seeds):
    folder = CORPUS / target
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name, data in seeds.items():
        (folder / name).write_bytes(data)
    print(f"{target}: {len(seeds)} seeds")


def u16(data):
    return struct.pack(">H", len(data)) + data


# ---- recorded traffic ---------------------------------------------------------


def read_until_idle(sock, idle=0.7, limit=5.0):
    sock.settimeout(idle)
    data, start = b"", time.monotonic()
    while time.monotonic() - start < limit:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            if data:
                break
            continue
        if not chunk:
            break
        data += chunk
    return data


def client_hello(command):
    """What a client sends first, seen by a TCP listener that never answers."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        args = [a.replace("PORT", str(port)) for a in command]
        proc = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        listener.settimeout(10)
        conn, _ = listener.accept()
        with conn:
            data = read_until_idle(conn)
        proc.kill()
        proc.wait()
    return data


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_flight(command, hello):
    """What a server answers to hello."""
    port = free_port()
    args = [a.replace("PORT", str(port)) for a in command]
    proc = subprocess.Popen(
        args, cwd=PKI, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(100):
            try:
                sock = socket.create_connection(("127.0.0.1", port))
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"{command[0]} did not listen")
        with sock:
            sock.sendall(hello)
            return read_until_idle(sock)
    finally:
        proc.kill()
        proc.wait()


S_CLIENT = ["openssl", "s_client", "-connect", "127.0.0.1:PORT", "-servername", "localhost"]
GNUTLS_CLI = ["gnutls-cli", "--insecure", "-p", "PORT", "127.0.0.1"]
GNUTLS_TLS12 = "NORMAL:-VERS-TLS1.3"


def traffic_seeds():
    hellos = {
        "openssl-tls13": client_hello(S_CLIENT),
        "openssl-tls12": client_hello(S_CLIENT + ["-tls1_2", "-no_ticket"]),
        "openssl-alpn": client_hello(S_CLIENT + ["-alpn", "h2,http/1.1"]),
        "gnutls-tls13": client_hello(GNUTLS_CLI),
        "gnutls-tls12": client_hello(GNUTLS_CLI + ["--priority", GNUTLS_TLS12]),
    }
    # The flights answer BoringSSL's own TLS 1.2 ClientHello (bssl-tool, of
    # Debian's android-boringssl), which offers what a sectrans client offers:
    # a flight answering another client's hello echoes extensions that
    # sectrans never sent, and stops there.
    bssl_hello = client_hello(
        ["bssl-tool", "client", "-connect", "127.0.0.1:PORT", "-max-version", "tls1.2"]
    )
    # The flags byte of fuzz_peer_bytes: 0 (defaults), 0x0a (16-byte chunks).
    server = {f"hello-{k}": b"\x00" + v for k, v in hellos.items()}
    server["hello-openssl-tls13-chunked"] = b"\x0a" + hellos["openssl-tls13"]
    flights = {
        "openssl": server_flight(
            [
                "openssl",
                "s_server",
                "-accept",
                "PORT",
                "-cert",
                "chain.pem",
                "-key",
                "leaf.key",
                "-tls1_2",
                "-no_ticket",
                "-naccept",
                "1",
            ],  # fmt: skip
            bssl_hello,
        ),
        "gnutls": server_flight(
            [
                "gnutls-serv",
                "-p",
                "PORT",
                "--x509certfile",
                "chain.pem",
                "--x509keyfile",
                "leaf.key",
                "--noticket",
                "--priority",
                GNUTLS_TLS12,
            ],  # fmt: skip
            bssl_hello,
        ),
    }
    # 0x11: TLS 1.2 only, no verification (the flight's chain is not the
    # fixture's); 0x51: the same with a break on server auth; 0x01: verified
    # (fails at the certificate); 0x33: 1-byte chunks and an end of stream.
    client = {}
    for name, flight in flights.items():
        for flags in (0x11, 0x51, 0x01, 0x33):
            client[f"flight-{name}-{flags:02x}"] = bytes([flags]) + flight
    return server, client


# ---- identities and chains ------------------------------------------------------


def pki(name):
    return (PKI / name).read_bytes()


def identity_seeds():
    pw = PASSWORD
    return {
        "pem": b"\x00" + u16(pki("chain.pem")) + u16(pki("leaf.key")),
        "pem-encrypted-key": b"\x80" + u16(pki("leaf.pem")) + u16(pki("leaf.key.enc.pem")) + pw,
        "pem-rsa": b"\x00" + u16(pki("rsa-leaf.pem")) + u16(pki("rsa-leaf.key")),
        "pem-one-file": b"\x01" + u16(pki("leaf.pem") + pki("leaf.key")) + u16(b""),
        "der": b"\x02" + u16(pki("leaf.der")) + u16(pki("leaf.key.der")),
        "der-rsa": b"\x02" + u16(pki("rsa-leaf.der")) + u16(pki("rsa-leaf.key.der")),
        "pkcs12": b"\x83" + u16(pki("leaf.p12")) + u16(b"") + pw,
        "pkcs12-legacy": b"\x83" + u16(pki("rsa-leaf-legacy.p12")) + u16(b"") + pw,
        "pkcs12-wrong-password": b"\x83" + u16(pki("leaf.p12")) + u16(b"") + b"wrong",
        "certificate-der": b"\x04" + u16(pki("root.der")) + u16(b""),
        "certificate-pem": b"\x44" + u16(pki("intermediate.pem")) + u16(b""),
    }


def trust_seeds():
    chain = u16(pki("leaf.der")) + u16(pki("intermediate.der")) + u16(pki("root.der"))
    host = b"localhost"
    # Flags: 0x01 the peer is a server, 0x02 the last certificate is the
    # anchor, 0x04 check the host name.
    return {
        "chain-trusted": b"\x07" + bytes([len(host)]) + host + chain,
        "chain-wrong-host": b"\x07\x07example" + chain,
        "chain-ip": b"\x07\x09127.0.0.1" + chain,
        "chain-client-purpose": b"\x06" + bytes([len(host)]) + host + chain,
        "chain-unknown-root": b"\x05" + bytes([len(host)]) + host + chain,
        "chain-no-intermediate": b"\x07"
        + bytes([len(host)])
        + host
        + u16(pki("leaf.der"))
        + u16(pki("root.der")),
        "rsa-leaf": b"\x01\x00" + u16(pki("rsa-leaf.der")),
    }


# ---- call sequences ------------------------------------------------------------


def op(code, slot, *args):
    return bytes([code << 1 | slot]) + b"".join(args)


# The op codes of fuzz_shared_call (fuzz/fuzz_common.c), then each target's.
HANDSHAKE, WRITE, READ, CLOSE, PEER_NAME, VERSION_MIN, VERSION_MAX, OPTION = range(8)
CLIENT_AUTH = 12
API = dict(
    create=14, identity=16, trust_store=17, alpn=19, shutdown_write=20, transfer=23, getters=26
)
APPLE = dict(create=14, alpn=16, peer_trust=19, getters=20, write_limit=24)


def api_seeds():
    """fuzz/api_calls.c: slot 0 a client, slot 1 a server, from configs."""
    name = b"\x09localhost"
    whole = b"\x01"  # a transfer of all the queued output
    hs = [(HANDSHAKE, 0), (API["transfer"], 0), (HANDSHAKE, 1), (API["transfer"], 1)] * 2
    hs = [op(c, s, whole if c == API["transfer"] else b"") for c, s in hs]

    def session(*setup):
        ops = [op(API["create"], 0, b"\x01"), op(PEER_NAME, 0, name), op(API["create"], 1, b"\x01")]
        ops += [*setup, *hs]
        ops += [
            op(WRITE, 0, u16(b"hello")),
            op(API["transfer"], 0, whole),
            op(READ, 1, b"\x01\x00"),
        ]
        ops += [op(WRITE, 1, u16(b"world" * 100)), op(API["transfer"], 1, whole)]
        ops += [op(READ, 0, b"\x00\x10"), op(READ, 0, b"\x01\x00")]
        ops += [op(API["getters"], 0), op(API["getters"], 1), op(CLOSE, 0)]
        ops += [op(API["transfer"], 0, whole), op(READ, 1, b"\x00\x10"), op(CLOSE, 1)]
        return b"".join(ops)

    apple_style = [op(API["create"], 0, b"\x00"), op(PEER_NAME, 0, name), op(API["trust_store"], 0)]
    apple_style += [op(API["create"], 1, b"\x00"), op(API["identity"], 1, b"\x01"), *hs]
    apple_style += [
        op(API["getters"], 0),
        op(API["shutdown_write"], 0),
        op(API["transfer"], 0, whole),
    ]
    apple_style += [op(READ, 1, b"\x01\x00")]
    alpn = b"\x03\x02h2"
    return {
        "tls13": session(),
        "tls12": session(op(VERSION_MAX, 0, b"\x08")),
        "tls12-alpn": session(
            op(VERSION_MAX, 1, b"\x08"), op(API["alpn"], 0, alpn), op(API["alpn"], 1, alpn)
        ),
        "client-auth": session(op(CLIENT_AUTH, 1, b"\x01"), op(API["identity"], 0, b"\x01")),
        "break-on-server-auth": session(op(OPTION, 0, b"\x00\x01")),
        "apple-style-contexts": b"".join(apple_style),
    }


def apple_seeds():
    """fuzz/apple_calls.c: slot 0 a client (breaking on server auth, then
    trusting the fixture through SecTrust), slot 1 a server."""
    hs = [op(HANDSHAKE, 0), op(HANDSHAKE, 1), op(HANDSHAKE, 0)]
    trust = op(APPLE["peer_trust"], 0, b"\x07\x09localhost")
    rest = [
        op(HANDSHAKE, 1),
        op(HANDSHAKE, 0),
        op(WRITE, 0, u16(b"hello")),
        op(READ, 1, b"\x01\x00"),
    ]
    rest += [op(WRITE, 1, u16(b"world")), op(READ, 0, b"\x01\x00")]
    rest += [
        op(APPLE["getters"], 0),
        op(APPLE["getters"], 1),
        op(CLOSE, 0),
        op(READ, 1, b"\x00\x10"),
    ]
    create = [op(APPLE["create"], 0, b"\x00"), op(APPLE["create"], 1, b"\x00")]
    alpn = [op(APPLE["alpn"], 0, b"\x01\x02h2"), op(APPLE["alpn"], 1, b"\x02\x02h2\x08http/1.1")]
    slow = [op(APPLE["write_limit"], 0, b"\x20"), op(APPLE["write_limit"], 1, b"\x10")]
    untrusted = op(APPLE["peer_trust"], 0, b"\x00\x00")
    return {
        "tls13": b"".join(create + hs + [trust] + rest),
        "tls12": b"".join(create + [op(VERSION_MAX, 0, b"\x08")] + hs + [trust] + rest),
        "alpn": b"".join(create + alpn + hs + [trust] + rest),
        "slow-writer": b"".join(create + slow + hs * 6 + [trust] + rest),
        "untrusted": b"".join(create + hs + [untrusted] + rest),
    }


def main():
    if "--new-pki" in sys.argv or not (PKI / "leaf.p12").exists():
        make_pki()
    server, client = traffic_seeds()
    write_seeds("server_bytes", server)
    write_seeds("client_bytes", client)
    write_seeds("identity_inputs", identity_seeds())
    write_seeds("trust_evaluation", trust_seeds())
    write_seeds("api_calls", api_seeds())
    write_seeds("apple_calls", apple_seeds())


if __name__ == "__main__":
    main()
