"""Real TLS peers for the interop tests: processes, ports, and a sectrans
connection over a socket.

Peers are the command-line tools of Debian packages: `openssl s_server` /
`s_client` (package openssl), `gnutls-serv` / `gnutls-cli` (gnutls-bin) and
`bssl-tool server` / `client` (BoringSSL's tool, android-boringssl).
Nothing here is specific to one test file; the interop matrix of
tests/interop/test_interop.py is built from it, and later suites (Go,
Python's ssl) can add peers the same way.

Rules every helper keeps, so that a broken peer or core fails a test instead
of hanging it, and so tests can run in parallel (pytest-xdist):

  - no fixed port: our own listeners bind port 0 on 127.0.0.1; a peer server
    gets a port that was free a moment ago, and is restarted on another one
    when it loses the race for it (PORT_ATTEMPTS times);
  - a peer server is ready once it printed that it listens (after its
    bind) and a connect() to 127.0.0.1:port succeeds (polled); bssl-tool,
    which prints nothing, binds port 0 and is ready once /proc shows its
    listening socket;
  - clients only ever connect to 127.0.0.1, even to gnutls-serv, which
    listens on every address;
  - every wait has a deadline (STEP_TIMEOUT seconds per step): socket
    timeouts, select() with the time left, process waits with timeouts;
  - a PeerProcess is killed by its own pid in kill(), which fixtures call
    from their finalizers (and which the context manager protocol calls);
  - peer output goes to a log file (no pipe can fill up and block the peer)
    and is quoted in every failure message.

Sectrans side: `SectransSocket` drives one context over the fd transport
(sectrans_set_fd on a Python socket's fileno; the socket object is kept
alive as long as the context). Mode "nonblocking": the fd is non-blocking
and would-block is waited out with select() on sectrans_wants(). Mode
"blocking": the fd is blocking with SO_RCVTIMEO/SO_SNDTIMEO, so a stuck read
or write comes back (EAGAIN, which the fd transport reports as would-block)
instead of hanging, and the deadline check then fails the test.
"""

import os
import re
import select
import shutil
import socket
import struct
import subprocess
import time

from helpers import WOULD_BLOCK, describe, st

STEP_TIMEOUT = 10.0  # seconds: the longest any single wait may take
PORT_ATTEMPTS = 8  # peer server starts before giving up on ports
LOOPBACK = "127.0.0.1"

# Protocol versions: the sectrans constant and how each peer names it.
VERSIONS = {
    "TLSv1.2": dict(
        sectrans=st.SECTRANS_PROTOCOL_TLS12,
        openssl="-tls1_2",
        gnutls="VERS-TLS1.2",
        gnutls_name="TLS1.2",
        bssl="tls1.2",
    ),
    "TLSv1.3": dict(
        sectrans=st.SECTRANS_PROTOCOL_TLS13,
        openssl="-tls1_3",
        gnutls="VERS-TLS1.3",
        gnutls_name="TLS1.3",
        bssl="tls1.3",
    ),
}


def gnutls_priority(version=None):
    """A GnuTLS priority string: NORMAL, or NORMAL restricted to one
    version ("TLSv1.2" / "TLSv1.3"). NORMAL already enables Ed25519
    (SIGN-EDDSA-ED25519) in GnuTLS 3.7, in TLS 1.2 and 1.3."""
    if version is None:
        return "NORMAL"
    return "NORMAL:-VERS-ALL:+" + VERSIONS[version]["gnutls"]


def bssl_versions(version=None):
    """bssl-tool's arguments pinning one version ("TLSv1.2" / "TLSv1.3"):
    -min-version and -max-version; none for BoringSSL's default range."""
    if version is None:
        return []
    name = VERSIONS[version]["bssl"]
    return ["-min-version", name, "-max-version", name]


def tool_path(name):
    """The path of a peer tool, or None when it is not installed."""
    return shutil.which(name)


class PeerError(AssertionError):
    """A peer could not be started or misbehaved; the message quotes its
    output."""


class PortInUse(Exception):
    """The peer server lost the race for its port: start again elsewhere."""


def free_port():
    """A port on 127.0.0.1 that is free right now (bound to 0 then closed).
    Another process may take it before the peer binds it; callers retry."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def listener():
    """A listening socket on 127.0.0.1, port chosen by the kernel, with an
    accept timeout. Returns (socket, port)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((LOOPBACK, 0))
        s.listen(8)
        s.settimeout(STEP_TIMEOUT)
    except BaseException:
        s.close()
        raise
    return s, s.getsockname()[1]


def _can_connect(port, timeout=0.5):
    try:
        with socket.create_connection((LOOPBACK, port), timeout=timeout):
            return True
    except OSError:
        return False


def _peer_env():
    """The environment without LD_PRELOAD: the sanitizer stage
    (scripts/sanitize.sh) preloads the ASan runtime into Python, and the
    peers, other stacks' tools, are not what it checks (gnutls-cli hangs
    under it). Whatever a peer preloads itself (stdbuf) it still does."""
    return {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}


class PeerProcess:
    """One peer process. Its stdout and stderr go to the log file log_path
    (stderr to log_path + ".stderr" with separate_stderr, so that data a
    client prints stays contiguous); stdin is a pipe kept open until
    close_stdin() or kill() (clients end the connection at end of input).
    kill() ends the process by its pid; it is idempotent."""

    def __init__(self, argv, log_path, *, name=None, separate_stderr=False):
        self.argv = [str(a) for a in argv]
        self.name = name or os.path.basename(self.argv[0])
        self.log_path = log_path
        self.err_path = log_path + ".stderr" if separate_stderr else None
        self._files = [open(log_path, "wb")]
        try:
            if self.err_path:
                self._files.append(open(self.err_path, "wb"))
            self.proc = subprocess.Popen(
                self.argv,
                stdin=subprocess.PIPE,
                stdout=self._files[0],
                stderr=self._files[-1] if self.err_path else subprocess.STDOUT,
                close_fds=True,
                env=_peer_env(),
            )
        except BaseException:
            for f in self._files:
                f.close()
            raise
        self.port = None

    @property
    def pid(self):
        return self.proc.pid

    def running(self):
        return self.proc.poll() is None

    def stdout(self):
        """What the peer printed on stdout so far (with stderr unless it was
        started with separate_stderr), as bytes."""
        with open(self.log_path, "rb") as f:
            return f.read()

    def output(self):
        """Everything the peer printed so far (stdout, then stderr when
        separate), as text."""
        data = self.stdout()
        if self.err_path:
            with open(self.err_path, "rb") as f:
                data += f.read()
        return data.decode("utf-8", "replace")

    def describe(self):
        """The command line, exit status and output, for failure messages."""
        rc = self.proc.poll()
        state = "running" if rc is None else "exit status %d" % rc
        return "%s (%s)\n$ %s\n--- output ---\n%s--- end of output ---" % (
            self.name,
            state,
            " ".join(self.argv),
            self.output(),
        )

    def wait_for(self, probe, timeout=STEP_TIMEOUT):
        """Calls probe() until it returns something true, and returns that;
        returns what it last returned (false) at the deadline or once the
        process exited (probed once more after the exit, when the log is
        complete)."""
        deadline = time.monotonic() + timeout
        while True:
            exited = not self.running()  # before probing: then the log is complete
            found = probe()
            if found or exited or time.monotonic() >= deadline:
                return found
            time.sleep(0.01)

    def wait_for_output(self, pattern, timeout=STEP_TIMEOUT):
        """Waits until the output matches the regular expression pattern
        (a str for re.search) and returns the match, or None at the
        deadline or when the process exited without printing it."""
        return self.wait_for(lambda: re.search(pattern, self.output()), timeout)

    def wait_for_stdout(self, data, timeout=STEP_TIMEOUT):
        """Waits until data (bytes) appears in the peer's stdout; returns
        whether it did (False at the deadline or once the peer exited
        without printing it)."""
        return self.wait_for(lambda: data in self.stdout(), timeout)

    def send(self, data):
        """Writes data to the peer's stdin (kept open). The pipe holds 64 KiB
        before the peer reads any of it: send less than that before the
        connection is up."""
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except BrokenPipeError:
            self.wait(timeout=1)
            raise PeerError("peer exited before reading its input: " + self.describe()) from None

    def close_stdin(self):
        try:
            if self.proc.stdin and not self.proc.stdin.closed:
                self.proc.stdin.close()
        except OSError:
            pass

    def wait(self, timeout=STEP_TIMEOUT):
        """Waits for the process to exit by itself; returns its exit status.
        Raises PeerError (with the output) when it does not."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise PeerError(
                "peer did not exit within %.0f s: %s" % (timeout, self.describe())
            ) from None

    def kill(self):
        """Ends the process (SIGKILL to its own pid) and reaps it."""
        self.close_stdin()
        if self.proc.poll() is None:
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass
        try:
            self.proc.wait(timeout=STEP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pass
        for f in self._files:
            f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()


# ---------------------------------------------------------------------------
# Peer servers


def _start_server(make_argv, log_dir, label, *, ready, in_use, attempts=PORT_ATTEMPTS):
    """Starts a peer server on a free port, retrying on port collisions.

    make_argv(port) gives the command line. ready(port) is a regular
    expression the server prints once it listens on 127.0.0.1:port (after
    its bind); in_use(port) one it prints when that bind failed. The server is
    ready when it printed `ready` and a connect() to 127.0.0.1:port works.
    Returns a running PeerProcess with .port set; the caller kills it.
    """
    last = None
    for attempt in range(attempts):
        port = free_port()
        log_path = os.path.join(log_dir, "%s-%d.log" % (label, attempt))
        peer = PeerProcess(make_argv(port), log_path, name=label)
        try:
            _wait_listening(peer, port, ready(port), in_use(port))
        except PortInUse:
            last = peer.describe()
            peer.kill()
            continue
        except BaseException:
            peer.kill()
            raise
        peer.port = port
        return peer
    raise PeerError("%s: no free port after %d attempts; last try: %s" % (label, attempts, last))


def _wait_listening(peer, port, ready_re, in_use_re):
    deadline = time.monotonic() + STEP_TIMEOUT
    while True:
        out = peer.output()
        if re.search(in_use_re, out):
            raise PortInUse()
        if not peer.running():
            out = peer.output()
            if re.search(in_use_re, out):
                raise PortInUse()
            raise PeerError("peer server exited before listening: " + peer.describe())
        if re.search(ready_re, out) and _can_connect(port):
            return
        if time.monotonic() >= deadline:
            raise PeerError(
                "peer server not listening on 127.0.0.1:%d after "
                "%.0f s: %s" % (port, STEP_TIMEOUT, peer.describe())
            )
        time.sleep(0.01)


def start_announced(
    argv, log_path, ready, *, name=None, separate_stderr=False, timeout=STEP_TIMEOUT
):
    """Starts a server that binds 127.0.0.1:0 (or any address, port 0)
    itself, so no port can be lost to a race, and waits up to timeout until
    it shows the port it got. ready is a regular expression its output
    matches once it listens, whose first group is the port; or a function
    of the PeerProcess that returns the port, or None while there is none
    (listening_port, for a server that prints nothing). Returns the
    PeerProcess with .port set; kills it and raises PeerError when no port
    comes."""
    peer = PeerProcess(argv, log_path, name=name, separate_stderr=separate_stderr)
    if callable(ready):
        port = peer.wait_for(lambda: ready(peer), timeout=timeout)
    else:
        m = peer.wait_for_output(ready, timeout=timeout)
        port = m and int(m.group(1))
    if not port:
        peer.kill()
        raise PeerError("%s did not start listening: %s" % (peer.name, peer.describe()))
    peer.port = int(port)
    return peer


def listening_port(peer):
    """The TCP port a running process listens on (its first listening
    socket, IPv4 or IPv6), or None: its socket inodes (/proc/PID/fd) looked
    up among the LISTEN rows (state 0A) of /proc/net/tcp and tcp6. For
    servers that bind port 0 without printing the port they got."""
    inodes = set()
    fd_dir = "/proc/%d/fd" % peer.pid
    try:
        fds = os.listdir(fd_dir)
    except OSError:  # exited
        return None
    for fd in fds:
        try:
            m = re.match(r"socket:\[(\d+)\]$", os.readlink(os.path.join(fd_dir, fd)))
        except OSError:
            continue
        if m:
            inodes.add(m.group(1))
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for row in f.read().splitlines()[1:]:
                fields = row.split()
                if fields[3] == "0A" and fields[9] in inodes:
                    return int(fields[1].rsplit(":", 1)[1], 16)
    return None


def sectrans_server(cmd, log_dir, *args, name="sectrans-server", timeout=10):
    """`sectrans server --bind 127.0.0.1:0 --timeout TIMEOUT ARGS`, cmd
    being the built command; returns the PeerProcess with .port set (its
    log is log_dir/NAME.log, stderr apart)."""
    argv = [cmd, "server", "--bind", "127.0.0.1:0", "--timeout", str(timeout)] + list(args)
    return start_announced(
        argv,
        os.path.join(log_dir, name + ".log"),
        r"listening on 127\.0\.0\.1:(\d+)",
        name=name,
        separate_stderr=True,
    )


def openssl_server(leaf, log_dir, *, version=None, extra=(), mode="-rev"):
    """`openssl s_server -rev` presenting leaf (pki.Leaf: leaf_file, key_file,
    chain_file for the intermediates) on 127.0.0.1. -rev answers each line
    with the line reversed (the newline stays at the end); mode="-www"
    answers a GET with a status page instead; mode=None keeps s_server's
    default, which reads commands on stdin ("r" renegotiates in TLS 1.2,
    "K" sends a KeyUpdate in TLS 1.3) and sends other lines. version pins one
    protocol version ("TLSv1.2" / "TLSv1.3"), else OpenSSL's default range.
    OpenSSL prints ACCEPT after its bind, and exits (status 0!) when the
    bind fails."""

    def argv(port):
        a = [
            "openssl",
            "s_server",
            "-accept",
            "%s:%d" % (LOOPBACK, port),
            "-cert",
            leaf.leaf_file,
            "-key",
            leaf.key_file,
        ]
        if mode:
            a.append(mode)
        if leaf.chain_pem:
            a += ["-cert_chain", leaf.chain_file]
        if version:
            a.append(VERSIONS[version]["openssl"])
        return a + list(extra)

    return _start_server(
        argv,
        log_dir,
        "openssl-s_server",
        ready=lambda port: r"(?m)^ACCEPT$",
        in_use=lambda port: r"Address already in use|unable to bind socket",
    )


def gnutls_server(leaf, log_dir, *, version=None, extra=()):
    """`gnutls-serv --echo` presenting leaf (leaf + chain in cert_file).
    --echo sends every record's data back unchanged. gnutls-serv listens on
    every address (IPv4 0.0.0.0 and IPv6 ::), and does not exit when one
    bind fails (it goes on with the other): readiness is the IPv4 line
    ending in "...done". Run under `stdbuf -o0` so that what it prints to
    stdout reaches the log at once."""

    def argv(port):
        a = [
            "gnutls-serv",
            "--echo",
            "--port",
            str(port),
            "--x509certfile",
            leaf.cert_file,
            "--x509keyfile",
            leaf.key_file,
            "--priority",
            gnutls_priority(version),
        ]
        if shutil.which("stdbuf"):
            a = ["stdbuf", "-o0", "-e0"] + a
        return a + list(extra)

    return _start_server(
        argv,
        log_dir,
        "gnutls-serv",
        ready=lambda port: r"listening on IPv4 0\.0\.0\.0 port %d\.\.\.done" % port,
        # Only the IPv4 bind matters (clients use 127.0.0.1); a host without
        # IPv6 fails the other one, which gnutls-serv survives.
        in_use=lambda port: r"listening on IPv4 0\.0\.0\.0 port %d\.\.\.bind\(\) failed" % port,
    )


def bssl_server(leaf, log_dir, *, version=None, extra=()):
    """`bssl-tool server` (BoringSSL's tool, package android-boringssl)
    presenting leaf (leaf + chain in cert_file), for one connection. It has
    no echo: it prints what it reads to stdout and sends what it reads from
    stdin (send()); it never sends close_notify (it exits after reading
    the client's, closing the socket; at end of stdin it only half-closes
    TCP). -accept 0: it binds port 0 on every address (IPv6 ::, dual-stack)
    and prints nothing until a client connects, so the port is read from
    /proc (listening_port) and no probe connection is made (it would be
    taken for the client). Its connection report goes to stderr, kept
    apart so that stdout is only the data."""
    argv = ["bssl-tool", "server", "-accept", "0", "-key", leaf.key_file, "-cert", leaf.cert_file]
    argv += bssl_versions(version) + list(extra)
    return start_announced(
        argv,
        os.path.join(log_dir, "bssl-server.log"),
        listening_port,
        name="bssl-server",
        separate_stderr=True,
    )


# ---------------------------------------------------------------------------
# Peer clients


def _start_client(argv, log_dir, name):
    """A peer client: its stdout (the data it received) apart from stderr."""
    return PeerProcess(argv, os.path.join(log_dir, name + ".log"), name=name, separate_stderr=True)


def openssl_client(
    port,
    ca_file,
    log_dir,
    *,
    server_name="localhost",
    version=None,
    extra=(),
    commands=False,
):
    """`openssl s_client` to 127.0.0.1:port, verifying the server fully:
    anchors ca_file, SNI and host name check server_name, abort on a
    verification error. stdin stays open, so it keeps the connection until
    the server closes it; -nocommands so no data line is taken for a
    command (Q, R, k...), unless commands=True."""
    argv = [
        "openssl",
        "s_client",
        "-connect",
        "%s:%d" % (LOOPBACK, port),
        "-servername",
        server_name,
        "-verify_hostname",
        server_name,
        "-CAfile",
        ca_file,
        "-verify_return_error",
    ]
    if not commands:
        argv.append("-nocommands")
    if version:
        argv.append(VERSIONS[version]["openssl"])
    argv += list(extra)
    return _start_client(argv, log_dir, "openssl-s_client")


def gnutls_client(port, ca_file, log_dir, *, server_name="localhost", version=None, extra=()):
    """`gnutls-cli` to 127.0.0.1:port with anchors ca_file, SNI and host
    name check server_name (gnutls-cli verifies by default and aborts on
    failure). stdin stays open: it ends when the server closes."""
    argv = [
        "gnutls-cli",
        "--port",
        str(port),
        "--x509cafile",
        ca_file,
        "--sni-hostname",
        server_name,
        "--verify-hostname",
        server_name,
        "--priority",
        gnutls_priority(version),
    ]
    argv += list(extra) + [LOOPBACK]
    if shutil.which("stdbuf"):
        argv = ["stdbuf", "-o0", "-e0"] + argv
    return _start_client(argv, log_dir, "gnutls-cli")


def bssl_client(port, ca_file, log_dir, *, server_name="localhost", version=None, extra=()):
    """`bssl-tool client` to 127.0.0.1:port: -root-certs ca_file makes it
    verify the chain and abort on failure, but it checks no host name
    (server_name is only sent as SNI), and prints no verdict. It sends
    what it reads from stdin and prints what it receives; at end of stdin
    it half-closes TCP without close_notify; it exits (status 0) once it
    read the server's close_notify, without answering it. Its default
    signature algorithms leave out Ed25519: extra=("-sigalgs", "ed25519")
    for an Ed25519 server."""
    argv = [
        "bssl-tool",
        "client",
        "-connect",
        "%s:%d" % (LOOPBACK, port),
        "-root-certs",
        ca_file,
        "-server-name",
        server_name,
    ]
    argv += bssl_versions(version) + list(extra)
    return _start_client(argv, log_dir, "bssl-client")


# ---------------------------------------------------------------------------
# sectrans over a socket (the fd transport)


class SectransError(AssertionError):
    """A sectrans call returned an unexpected status; .status holds it."""

    def __init__(self, what, status, ctx, extra=""):
        self.status = status
        self.detail = st.sectrans_context_error_detail(ctx)
        super().__init__("%s returned %s%s" % (what, describe(status, ctx), extra))


def set_socket_timeouts(sock, seconds):
    """SO_RCVTIMEO and SO_SNDTIMEO on a blocking socket: a read or write that
    waits longer fails with EAGAIN instead of hanging."""
    sec = int(seconds)
    tv = struct.pack("ll", sec, int((seconds - sec) * 1e6))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, tv)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, tv)


class SectransSocket:
    """A sectrans context on a connected socket, through sectrans_set_fd.

    mode "nonblocking": O_NONBLOCK fd, would-block waited out with select()
    on sectrans_wants(). mode "blocking": blocking fd with SO_RCVTIMEO /
    SO_SNDTIMEO of `timeout` seconds. Either way every operation has a deadline
    of `timeout` seconds from its start. The socket object is kept here for
    the life of the context (the context never closes the fd); close()
    closes it.
    """

    def __init__(self, ctx, sock, mode="nonblocking", timeout=STEP_TIMEOUT):
        if mode not in ("nonblocking", "blocking"):
            raise ValueError(mode)
        self.ctx = ctx
        self.sock = sock
        self.mode = mode
        self.timeout = timeout
        if mode == "nonblocking":
            sock.setblocking(False)
        else:
            sock.setblocking(True)  # Python's own timeouts would set O_NONBLOCK
            set_socket_timeouts(sock, timeout)
        status = st.sectrans_set_fd(ctx, sock.fileno())
        if status != 0:
            raise SectransError("sectrans_set_fd", status, ctx)

    # -- waiting -----------------------------------------------------------

    def _wait(self, what, deadline):
        """After would-block: wait for what sectrans_wants() names."""
        wants = st.sectrans_wants(self.ctx)
        if not wants & (st.SECTRANS_WANT_READ | st.SECTRANS_WANT_WRITE):
            raise AssertionError(
                "%s returned errSSLWouldBlock but sectrans_wants "
                "is %d (nothing to wait for)" % (what, wants)
            )
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(
                "%s: still would-block after %.1f s (wants %d)" % (what, self.timeout, wants)
            )
        rl = [self.sock] if wants & st.SECTRANS_WANT_READ else []
        wl = [self.sock] if wants & st.SECTRANS_WANT_WRITE else []
        select.select(rl, wl, [], left)

    def _deadline(self):
        return time.monotonic() + self.timeout

    def _loop(self, what, call):
        """Calls call() until it returns something but would-block."""
        deadline = self._deadline()
        while True:
            status = call()
            if status != WOULD_BLOCK:
                return status
            self._wait(what, deadline)

    # -- operations ----------------------------------------------------------

    def handshake(self):
        """Runs the handshake to its end; returns its status (0 or a failure
        code), never would-block."""
        return self._loop("sectrans_handshake", lambda: st.sectrans_handshake(self.ctx))

    def write_all(self, data):
        """Writes all of data and flushes it (Apple semantics: processed
        bytes are never offered again). Raises SectransError on failure."""
        view = memoryview(data)
        off = 0
        deadline = self._deadline()
        while True:
            chunk = view[off:] if off < len(view) else None
            status, processed = st.sectrans_write(self.ctx, chunk)
            if chunk is None:
                assert processed == 0, "flush processed %d bytes" % processed
            elif status == 0:
                assert processed == len(chunk), (
                    "sectrans_write succeeded with processed %d of %d" % (processed, len(chunk))
                )
            off += processed
            if status == 0 and off >= len(view):
                return
            if status == 0:
                continue
            if status != WOULD_BLOCK:
                raise SectransError(
                    "sectrans_write", status, self.ctx, " after %d of %d bytes" % (off, len(view))
                )
            self._wait("sectrans_write", deadline)

    def _read_some(self, buf, deadline):
        """One sectrans_read into buf that waits (until deadline) while it
        would block with nothing read. Returns (status, data): status 0 with
        the bytes read, else the code that ended the stream with any bytes
        that came with it."""
        while True:
            status, got = st.sectrans_read(self.ctx, buf)
            if status == 0:
                assert got > 0, "sectrans_read succeeded with 0 bytes"
                return 0, bytes(buf[:got])
            if status == WOULD_BLOCK:
                if got:
                    return 0, bytes(buf[:got])
                self._wait("sectrans_read", deadline)
                continue
            return status, bytes(buf[:got])

    def read_exactly(self, n, bufsize=16384):
        """Reads until n bytes arrived; returns them. Raises SectransError
        (with the bytes so far in .partial) on any other end."""
        out = bytearray()
        buf = bytearray(bufsize)
        deadline = self._deadline()
        while len(out) < n:
            status, data = self._read_some(memoryview(buf)[: min(bufsize, n - len(out))], deadline)
            out += data
            if status != 0:
                err = SectransError(
                    "sectrans_read",
                    status,
                    self.ctx,
                    " after %d of %d bytes: %r" % (len(out), n, bytes(out[-80:])),
                )
                err.partial = bytes(out)
                raise err
        return bytes(out)

    def read_to_close(self, bufsize=16384):
        """Reads until the stream ends; returns (data, status) where status
        is the code that ended it (-9805 after the peer's close_notify,
        -9806 at end of stream without it, or an error)."""
        out = bytearray()
        buf = bytearray(bufsize)
        deadline = self._deadline()
        while True:
            status, data = self._read_some(buf, deadline)
            out += data
            if status != 0:
                return bytes(out), status

    def shutdown_write(self):
        """sectrans_shutdown_write until its close_notify left; returns the
        status."""
        return self._loop("sectrans_shutdown_write", lambda: st.sectrans_shutdown_write(self.ctx))

    def close_tls(self):
        """sectrans_close (Apple's SSLClose) until flushed; returns the
        status."""
        return self._loop("sectrans_close", lambda: st.sectrans_close(self.ctx))

    def negotiated_version(self):
        status, version = st.sectrans_get_negotiated_protocol_version(self.ctx)
        if status != 0:
            raise SectransError("sectrans_get_negotiated_protocol_version", status, self.ctx)
        return version

    def error_detail(self):
        return st.sectrans_context_error_detail(self.ctx)

    def close(self):
        """Closes the socket (the context is left to the garbage collector,
        which releases it)."""
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def connect(port, timeout=STEP_TIMEOUT):
    """A TCP connection to 127.0.0.1:port (connect with a timeout)."""
    return socket.create_connection((LOOPBACK, port), timeout=timeout)


def accept(listening_socket, peer=None):
    """Accepts one connection (the listener has a timeout). When it times
    out, the failure quotes peer's output (the client that should have
    connected)."""
    try:
        conn, _ = listening_socket.accept()
    except socket.timeout:
        raise PeerError(
            "no connection within %.0f s%s"
            % (STEP_TIMEOUT, ": " + peer.describe() if peer is not None else "")
        ) from None
    return conn
