"""Support for the tests of the Python package `sectrans` (test_py_*.py):
contexts made from the session's pki leaves, and in-process TLS servers in
threads (Python's own `ssl`, or sectrans), each bound to 127.0.0.1 and
stopped at teardown.

A ThreadedServer runs `handler(conn)` for each accepted connection on its
own thread; a handler's exception is kept and re-raised by `stop()` (and
by the `server` context manager's exit), so a failing server fails the
test instead of vanishing in a thread.
"""

import hashlib
import os
import socket
import ssl
import subprocess
import sys
import threading

import peers

import sectrans

TIMEOUT = peers.STEP_TIMEOUT
SSL_VERSIONS = {"tls12": ssl.TLSVersion.TLSv1_2, "tls13": ssl.TLSVersion.TLSv1_3}


def sectrans_client(leaf, **settings):
    """A sectrans client context trusting leaf's anchor."""
    ctx = sectrans.create_default_context(cafile=leaf.ca_file)
    for name, value in settings.items():
        setattr(ctx, name, value)
    return ctx


def sectrans_server(leaf):
    """A sectrans server context presenting leaf."""
    ctx = sectrans.SSLContext(sectrans.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(leaf.cert_file, leaf.key_file)
    return ctx


def ssl_server(leaf, version=None):
    """A Python ssl server context presenting leaf (pinned to one version
    when version is 'tls12'/'tls13')."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(leaf.cert_file, leaf.key_file)
    if version:
        ctx.minimum_version = ctx.maximum_version = SSL_VERSIONS[version]
    return ctx


def ssl_client(leaf, version=None):
    """A Python ssl client context trusting leaf's anchor."""
    ctx = ssl.create_default_context(cafile=leaf.ca_file)
    if version:
        ctx.minimum_version = ctx.maximum_version = SSL_VERSIONS[version]
    return ctx


def recv_exactly(sock, n):
    """Reads exactly n bytes from a (TLS) socket."""
    out = bytearray()
    while len(out) < n:
        chunk = sock.recv(min(n - len(out), 1 << 16))
        assert chunk, "stream ended after %d of %d bytes" % (len(out), n)
        out += chunk
    return bytes(out)


class ThreadedServer:
    """Accepts on 127.0.0.1 and runs handler(conn) per connection, each on a
    thread. wrap(raw_socket) turns the accepted socket into what the
    handler gets (None: the plain socket)."""

    def __init__(self, handler, wrap=None, connections=1):
        self.handler = handler
        self.wrap = wrap
        self.listener, self.port = peers.listener()
        self.errors = []
        self.threads = []
        self.acceptor = threading.Thread(target=self._accept_loop, args=(connections,), daemon=True)
        self.acceptor.start()

    @property
    def address(self):
        return (peers.LOOPBACK, self.port)

    def _accept_loop(self, connections):
        for _ in range(connections):
            try:
                raw, _ = self.listener.accept()
            except OSError as e:  # closed by stop(), or timed out
                if self.listener.fileno() >= 0:
                    self.errors.append(e)
                return
            raw.settimeout(TIMEOUT)
            t = threading.Thread(target=self._serve, args=(raw,), daemon=True)
            t.start()
            self.threads.append(t)

    def _serve(self, raw):
        try:
            conn = self.wrap(raw) if self.wrap else raw
            with conn:
                self.handler(conn)
        except BaseException as e:  # re-raised by stop()
            self.errors.append(e)
            raw.close()

    def join(self):
        """Waits for every accepted connection's handler."""
        self.acceptor.join(TIMEOUT)
        for t in self.threads:
            t.join(TIMEOUT)
            assert not t.is_alive(), "server handler still running"

    def stop(self, expect_errors=False):
        """Joins the handlers, closes the listener; raises the first handler
        exception unless expect_errors (then returns them)."""
        try:
            self.join()
        finally:
            self.listener.close()
        if expect_errors:
            return self.errors
        if self.errors:
            raise self.errors[0]
        return []

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *rest):
        if exc_type is None:
            self.stop()
        else:
            self.listener.close()


def echo(conn):
    """Handler: sends back what arrives until the peer closes."""
    while True:
        data = conn.recv(1 << 16)
        if not data:
            return
        conn.sendall(data)


def digest_until_end(results):
    """Handler: reads until the peer closes, then appends (bytes read,
    SHA-256 hex digest) to results."""

    def handler(conn):
        digest, total = hashlib.sha256(), 0
        while True:
            data = conn.recv(1 << 14)
            if not data:
                break
            digest.update(data)
            total += len(data)
        results.append((total, digest.hexdigest()))

    return handler


def ssl_echo_server(leaf, version=None, connections=1, handler=echo):
    """A ThreadedServer speaking Python's ssl, presenting leaf."""
    ctx = ssl_server(leaf, version)
    return ThreadedServer(handler, lambda raw: ctx.wrap_socket(raw, server_side=True), connections)


def sectrans_echo_server(ctx, connections=1, handler=echo):
    """A ThreadedServer speaking sectrans with the server context ctx."""
    return ThreadedServer(handler, lambda raw: ctx.wrap_socket(raw, server_side=True), connections)


def connect(ctx, address, server_hostname="localhost", **kw):
    """A client TLS socket (sectrans or ssl context) to address."""
    raw = socket.create_connection(address, timeout=TIMEOUT)
    try:
        return ctx.wrap_socket(raw, server_hostname=server_hostname, **kw)
    except BaseException:
        raw.close()
        raise


def start_sectrans_www(build_dir, reap, log_dir, leaf):
    """`sectrans server --www --loop` (the CLI) presenting leaf; returns the
    PeerProcess with .port."""
    return reap(
        peers.sectrans_server(
            os.path.join(build_dir, "cli", "sectrans"),
            log_dir,
            "--www",
            "--loop",
            "--cert",
            leaf.cert_file,
            "--key",
            leaf.key_file,
            name="sectrans-www",
        )
    )


def run_python(args, **kw):
    """Runs a Python subprocess (the same interpreter) with a deadline."""
    return subprocess.run(
        [sys.executable] + list(args),
        capture_output=True,
        text=True,
        timeout=kw.pop("timeout", 120),
        **kw,
    )
