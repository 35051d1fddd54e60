"""sectrans against the standard ssl module over loopback TCP.

Each subject runs with its own library on both ends: the client here (CPU 0)
and a server in a forked child process (CPU 1), one TCP connection at a
time. Interleaved A/B pairs, the order swapped every pair, the same work in
each run; a pair's ratio is sectrans's rate over ssl's (higher is faster
for sectrans). Wall-clock time, since two processes take part.

Scenarios: bulk-16k (MB/s: the client sends BULK_MB MiB in 16 KiB writes,
the server reads them and answers one byte), write-64 (writes/s: 64-byte
writes, then the same answer), handshake-full (handshakes/s: connect, full
handshake, one byte each way, close). TLS 1.3, X25519, an ECDSA P-256 leaf
signed by a test intermediate, the client verifying chain and host name.

    python3 bench/python/bench.py --build-dir build [--quick] [--json PATH]
"""

import argparse
import datetime
import json
import os
import platform
import socket
import ssl
import statistics
import struct
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHUNK_16K = 16384
CHUNK_64 = 64


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    parser.add_argument(
        "--quick", action="store_true", help="3 short pairs per scenario; prints, records nothing"
    )
    parser.add_argument("--pairs", type=int, default=15)
    parser.add_argument("--json", default=os.path.join(ROOT, "bench/results/python.json"))
    return parser.parse_args()


def load_libraries(build_dir):
    sys.path.insert(0, os.path.join(build_dir, "python"))
    sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
    import pki

    import sectrans

    return pki, sectrans


def make_contexts(pki_dir, sectrans):
    """{subject: (client context, server context)}, configured alike."""
    leaf = pki_dir.leaves["ecdsa_p256"]
    contexts = {}
    for name, lib in (("sectrans", sectrans), ("ssl", ssl)):
        client = lib.create_default_context(cafile=leaf.ca_file)
        client.minimum_version = lib.TLSVersion.TLSv1_3
        server = lib.SSLContext(lib.PROTOCOL_TLS_SERVER)
        server.load_cert_chain(leaf.cert_file, leaf.key_file)
        contexts[name] = (client, server)
    return contexts


def pin(cpu):
    if hasattr(os, "sched_setaffinity") and cpu < os.cpu_count():
        os.sched_setaffinity(0, {cpu})


def recv_exactly(conn, n):
    buf = bytearray(n)
    view, got = memoryview(buf), 0
    while got < n:
        k = conn.recv_into(view[got:], min(n - got, 1 << 18))
        if not k:
            raise EOFError("stream ended after %d of %d bytes" % (got, n))
        got += k
    return buf


def serve(listener, server_ctx):
    """The child: one connection at a time. A connection starts with a
    9-byte request: b'H' (answer one byte) or b'B' + a byte count to read
    before answering."""
    pin(1)
    while True:
        raw, _ = listener.accept()
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            with server_ctx.wrap_socket(raw, server_side=True) as tls:
                kind, count = struct.unpack("!cQ", bytes(recv_exactly(tls, 9)))
                remaining = count if kind == b"B" else 0
                buf = bytearray(1 << 18)
                while remaining:
                    n = tls.recv_into(buf, min(remaining, len(buf)))
                    if not n:
                        raise EOFError("client went away")
                    remaining -= n
                tls.sendall(b"k")
        except (OSError, EOFError):
            pass  # the check's wrong-host-name client; anything else fails the client


class Subject:
    """One library's client context and the port of its server child."""

    def __init__(self, name, client_ctx, server_ctx):
        self.name = name
        self.client_ctx = client_ctx
        listener = socket.create_server(("127.0.0.1", 0))
        self.port = listener.getsockname()[1]
        self.pid = os.fork()
        if self.pid == 0:
            try:
                serve(listener, server_ctx)
            finally:
                os._exit(0)
        listener.close()

    def connect(self):
        raw = socket.create_connection(("127.0.0.1", self.port))
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self.client_ctx.wrap_socket(raw, server_hostname="localhost")

    def stop(self):
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)


def run_bulk(subject, total, chunk):
    """Sends total bytes in chunk-sized writes; returns seconds."""
    data = memoryview(os.urandom(chunk))
    with subject.connect() as tls:
        start = time.perf_counter()
        tls.sendall(struct.pack("!cQ", b"B", total))
        for _ in range(total // chunk):
            tls.sendall(data)
        assert tls.recv(1) == b"k"
        return time.perf_counter() - start


def run_handshakes(subject, count):
    """count full handshakes (with one byte each way); returns seconds."""
    request = struct.pack("!cQ", b"H", 0)
    start = time.perf_counter()
    for _ in range(count):
        with subject.connect() as tls:
            tls.sendall(request)
            assert tls.recv(1) == b"k"
    return time.perf_counter() - start


def check(subjects):
    """Both subjects really do the configured work before any timing."""
    for subject in subjects.values():
        with subject.connect() as tls:
            assert tls.version() == "TLSv1.3", tls.version()
            assert tls.cipher()[0] == "TLS_AES_128_GCM_SHA256", (
                "%s: %s (run through run.sh, which sets OPENSSL_CONF)"
                % (subject.name, tls.cipher()[0])
            )
            assert not tls.session_reused  # every handshake is a full one
            assert tls.getpeercert()["subjectAltName"][0] == ("DNS", "localhost")
            tls.sendall(struct.pack("!cQ", b"H", 0))
            assert tls.recv(1) == b"k"
        raw = socket.create_connection(("127.0.0.1", subject.port))
        try:
            subject.client_ctx.wrap_socket(raw, server_hostname="wrong.example")
            raise AssertionError("%s: a wrong host name was accepted" % subject.name)
        except (ssl.CertificateError, ValueError):
            pass
        finally:
            raw.close()


def measure(subjects, scenario, pairs, work):
    """Interleaved pairs; returns the JSON result record."""
    runner, amount, unit, per_run = work
    rates = {"sectrans": [], "ssl": []}
    ratios = []
    for i in range(pairs):
        order = ("sectrans", "ssl") if i % 2 == 0 else ("ssl", "sectrans")
        pair = {}
        for name in order:
            pair[name] = per_run / runner(subjects[name], *amount)
            rates[name].append(pair[name])
        ratios.append(pair["sectrans"] / pair["ssl"])
    return {
        "scenario": scenario,
        "subject": "sectrans",
        "baseline": "ssl",
        "unit": unit,
        "subject_median": round(statistics.median(rates["sectrans"]), 3),
        "baseline_median": round(statistics.median(rates["ssl"]), 3),
        "ratio_median": round(statistics.median(ratios), 4),
        "ratio_min": round(min(ratios), 4),
        "ratio_max": round(max(ratios), 4),
        "pairs": pairs,
        "group": "X25519",
        "certificate": "ECDSA P-256 leaf signed by a test intermediate (ECDSA P-256)",
    }


def machine():
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            model = next(
                line.split(":", 1)[1].strip() for line in f if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    return "%s, %d CPUs, %s %s" % (model, os.cpu_count(), platform.system(), platform.release())


def main():
    args = parse_args()
    pki_module, sectrans = load_libraries(args.build_dir)
    pairs = 3 if args.quick else args.pairs
    bulk = (8 if args.quick else 64) << 20
    small = 2000 if args.quick else 20000
    handshakes = 30 if args.quick else 200
    with tempfile.TemporaryDirectory() as work:
        contexts = make_contexts(pki_module.Pki(work), sectrans)
        subjects = {name: Subject(name, *ctxs) for name, ctxs in contexts.items()}
        pin(0)
        try:
            check(subjects)
            results = [
                measure(
                    subjects, "bulk-16k", pairs, (run_bulk, (bulk, CHUNK_16K), "MB/s", bulk / 1e6)
                ),
                measure(
                    subjects,
                    "write-64",
                    pairs,
                    (run_bulk, (small * CHUNK_64, CHUNK_64), "writes/s", small),
                ),
                measure(
                    subjects,
                    "handshake-full",
                    pairs,
                    (run_handshakes, (handshakes,), "handshakes/s", handshakes),
                ),
            ]
        finally:
            for subject in subjects.values():
                subject.stop()
    notes = (
        "loopback TCP, client in this process on CPU 0, server in a forked child on "
        "CPU 1, the same library on both ends; TLS 1.3, X25519, TLS_AES_128_GCM_SHA256 "
        "on both (Python %s's ssl, OpenSSL %s, set through OPENSSL_CONF); "
        "wall-clock time" % (platform.python_version(), ssl.OPENSSL_VERSION.split()[1])
    )
    for r in results:
        r["notes"] = notes
        print(
            "%-15s %-13s sectrans %10.1f  ssl %10.1f  ratio %.3f (%.3f..%.3f)"
            % (
                r["scenario"],
                r["unit"],
                r["subject_median"],
                r["baseline_median"],
                r["ratio_median"],
                r["ratio_min"],
                r["ratio_max"],
            )
        )
    if args.quick:
        print("quick run: nothing recorded")
        return
    document = {
        "suite": "python",
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "results": results,
    }
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as f:
        f.write(
            '{"suite": "python", "date": "%s", "machine": %s, "results": [\n'
            % (document["date"], json.dumps(document["machine"]))
        )
        f.write(",\n".join("  " + json.dumps(r) for r in results))
        f.write("\n]}\n")
    print("wrote", args.json)


if __name__ == "__main__":
    main()
