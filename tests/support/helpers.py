"""Helpers for tests that drive the core through `sectrans._sectrans`.

Import as `from helpers import st, check, make_pair, handshake, ...`; `st` is
the low-level module (conventions: bindings/python/LOWLEVEL.md). The build
tree is found through SECTRANS_BUILD_DIR (default <repo>/build); its
python/ directory is on sys.path (tests/conftest.py, or PYTHONPATH from
paths.python_env() in a child process). REPO, BUILD_DIR and PYTHON_DIR
come from paths.py.

Status checks
    check(result, what, ctx=None, expected=0)
        result is a status int or a (status, out1, ...) tuple. Raises an
        AssertionError naming the status (sectrans_status_string), its
        description and the context's error detail unless the status is
        expected (an int or a collection of ints). Returns the outputs: None,
        the single output, or a tuple of them.
    status_name(code), describe(code, ctx)

Objects
    make_identity(leaf_or_identity), make_trust_store(anchors),
    encode_alpn(["h2", "http/1.1"]), make_context(side, ...),
    make_pair(server_leaf, ...) -> (client, server)

Memory transport
    take_all(ctx)               queued ciphertext as bytes
    pump(a, b)                  moves ciphertext both ways, returns bytes moved
    drive_handshake(c, s)       runs both handshakes, bounded; returns statuses
    handshake(c, s)             the same, asserting both succeed
    write_all(ctx, data), read_all(ctx), transfer(sender, receiver, data)

Every loop is bounded (max_rounds); a stall raises AssertionError instead of
hanging.
"""

from paths import BUILD_DIR, PYTHON_DIR, REPO

try:
    from sectrans import _sectrans as st
except ImportError as _e:
    raise ImportError(
        "cannot import sectrans._sectrans from %s: %s\n"
        "Build it first: cmake -S %s -B %s && cmake --build %s -j2 "
        "(or set SECTRANS_BUILD_DIR to another build tree)"
        % (PYTHON_DIR, _e, REPO, BUILD_DIR, BUILD_DIR)
    ) from _e

WOULD_BLOCK = st.SECTRANS_WOULD_BLOCK
# Handshake break points: not fatal, call sectrans_handshake again.
BREAK_CODES = frozenset(
    {
        st.SECTRANS_PEER_AUTH_COMPLETED,
        st.SECTRANS_CLIENT_CERT_REQUESTED,
        st.SECTRANS_CLIENT_HELLO_RECEIVED,
    }
)
CLIENT = st.SECTRANS_CLIENT
SERVER = st.SECTRANS_SERVER


# ---------------------------------------------------------------------------
# Status checks


def status_name(status):
    """'errSSLWouldBlock (-9803)'."""
    return "%s (%d)" % (st.sectrans_status_string(status), status)


def describe(status, ctx=None):
    """Name, description and (when ctx is given) the context's error detail."""
    text = "%s: %s" % (status_name(status), st.sectrans_status_description(status))
    if ctx is not None:
        detail = st.sectrans_context_error_detail(ctx)
        if detail:
            text += " [detail: %s]" % detail
    return text


def _split(result):
    if isinstance(result, tuple):
        return result[0], result[1:]
    return result, ()


def check(result, what="call", ctx=None, expected=0):
    """Asserts the status of result and returns its outputs.

    result: a status int or a (status, out1, ...) tuple from the module.
    expected: an int or a collection of ints. Returns None (no outputs),
    the single output, or a tuple of outputs.
    """
    status, outs = _split(result)
    allowed = expected if isinstance(expected, (set, frozenset, list, tuple)) else (expected,)
    if status not in allowed:
        raise AssertionError(
            "%s returned %s; expected %s"
            % (what, describe(status, ctx), " or ".join(status_name(e) for e in allowed))
        )
    if not outs:
        return None
    return outs[0] if len(outs) == 1 else outs


# ---------------------------------------------------------------------------
# Objects


def state(ctx):
    """The session state of ctx (checked)."""
    return check(st.sectrans_get_session_state(ctx), "sectrans_get_session_state", ctx)


def make_identity(source):
    """An identity handle from a pki.Leaf (cert_pem + key_pem), or the
    identity handle itself."""
    if source is None or isinstance(source, st.sectrans_identity):
        return source
    return check(
        st.sectrans_identity_create_from_pem(source.cert_pem, source.key_pem, None),
        "sectrans_identity_create_from_pem(%s)" % getattr(source, "name", "?"),
    )


def make_trust_store(anchors):
    """A trust store from PEM bytes/str, a pki.Leaf or pki.CA (its CA PEM), a
    list of those, or a trust store handle (returned as is). None stays None
    (meaning: the system store)."""
    if anchors is None or isinstance(anchors, st.sectrans_trust_store):
        return anchors
    store = check(st.sectrans_trust_store_create(), "sectrans_trust_store_create")
    items = anchors if isinstance(anchors, (list, tuple)) else [anchors]
    for item in items:
        if isinstance(item, str):
            item = item.encode()
        elif not isinstance(item, (bytes, bytearray, memoryview)):
            item = getattr(item, "ca_pem", None) or item.pem
        check(st.sectrans_trust_store_add_pem(store, item), "sectrans_trust_store_add_pem")
    return store


def encode_alpn(protocols):
    """RFC 7301 wire list from names (str or bytes); bytes pass through."""
    if isinstance(protocols, (bytes, bytearray)):
        return bytes(protocols)
    out = bytearray()
    for p in protocols:
        p = p.encode() if isinstance(p, str) else bytes(p)
        out.append(len(p))
        out += p
    return bytes(out)


def make_context(
    side,
    *,
    use_config=False,
    identity=None,
    anchors=None,
    peer_name=None,
    verify_mode=None,
    alpn=None,
    ciphers=None,
    min_version=None,
    max_version=None,
):
    """A memory-transport context for side (st.SECTRANS_CLIENT / _SERVER).

    use_config=False: the Apple way (sectrans_context_create, then the
    per-context setters). use_config=True: a sectrans_config with the same
    settings, then sectrans_context_create_with_config. identity: pki.Leaf
    or identity handle. anchors: see make_trust_store. peer_name: str/bytes,
    set on the context (configs have no peer name). alpn: list of names or
    encoded bytes. ciphers: list of suite numbers. Unset options keep the
    library defaults. Every call is checked.
    """
    identity = make_identity(identity)
    store = make_trust_store(anchors)
    settings = [
        ("identity", identity),
        ("trust_store", store),
        ("verify_mode", verify_mode),
        ("alpn", None if alpn is None else encode_alpn(alpn)),
        ("enabled_ciphers", ciphers),
        ("protocol_version_min", min_version),
        ("protocol_version_max", max_version),
    ]
    if use_config:
        config = check(st.sectrans_config_create(side), "sectrans_config_create")
        for name, value in settings:
            if value is not None:
                check(
                    getattr(st, "sectrans_config_set_" + name)(config, value),
                    "sectrans_config_set_" + name,
                )
        ctx = check(
            st.sectrans_context_create_with_config(config), "sectrans_context_create_with_config"
        )
    else:
        ctx = check(st.sectrans_context_create(side, st.SECTRANS_STREAM), "sectrans_context_create")
        for name, value in settings:
            if value is not None:
                check(getattr(st, "sectrans_set_" + name)(ctx, value), "sectrans_set_" + name, ctx)
    if peer_name is not None:
        check(
            st.sectrans_set_peer_domain_name(ctx, peer_name), "sectrans_set_peer_domain_name", ctx
        )
    return ctx


def make_pair(
    server_leaf,
    *,
    client_leaf=None,
    peer_name="localhost",
    use_config=False,
    client=None,
    server=None,
):
    """(client, server) contexts over the memory transport.

    The server presents server_leaf (a pki.Leaf or identity handle, or None).
    The client trusts server_leaf.ca_pem (the test root) and uses peer_name
    (None: no name). client_leaf, when given, becomes the client's identity
    and its CA the server's anchors. client / server: extra keyword
    arguments for make_context, overriding the defaults above.
    """
    ckw = dict(use_config=use_config, peer_name=peer_name)
    if server_leaf is not None and hasattr(server_leaf, "ca_pem"):
        ckw["anchors"] = server_leaf.ca_pem
    if client_leaf is not None:
        ckw["identity"] = client_leaf
    ckw.update(client or {})
    skw = dict(use_config=use_config, identity=server_leaf)
    if client_leaf is not None and hasattr(client_leaf, "ca_pem"):
        skw["anchors"] = client_leaf.ca_pem
    skw.update(server or {})
    return make_context(CLIENT, **ckw), make_context(SERVER, **skw)


# ---------------------------------------------------------------------------
# The memory transport


def take_all(ctx, check_status=True):
    """All ciphertext ctx has queued, as bytes."""
    out = bytearray()
    for _ in range(1000):
        status, pending = st.sectrans_output_pending(ctx)
        if status != 0:
            if check_status:
                check(status, "sectrans_output_pending", ctx)
            break
        if not pending:
            break
        buf = bytearray(pending)
        status, n = st.sectrans_take_output(ctx, buf)
        if status != 0:
            if check_status:
                check(status, "sectrans_take_output", ctx)
            break
        out += buf[:n]
        if n == 0:
            break
    return bytes(out)


def pump(a, b, check_status=False):
    """Moves the queued ciphertext of a into b and of b into a
    (take_output -> feed_input). Returns the number of bytes moved.
    Feeding a context that has failed returns its saved status; that is
    ignored unless check_status is true."""
    moved = 0
    for src, dst in ((a, b), (b, a)):
        data = take_all(src, check_status)
        if data:
            status = st.sectrans_feed_input(dst, data)
            if check_status:
                check(status, "sectrans_feed_input", dst)
            moved += len(data)
    return moved


def drive_handshake(client, server, *, max_rounds=50, stop_on_break=True):
    """Runs both handshakes to an end, moving ciphertext between them.

    Each round calls sectrans_handshake on every side not yet finished, then
    pumps. A side is finished once it returns anything but would-block: 0,
    a fatal code, or (with stop_on_break) a break code, which the caller
    handles before calling again. Returns (client_status, server_status),
    the last status of each side (would-block for a side still waiting when
    the other one failed). Raises AssertionError when both sides wait with
    nothing moving, or after max_rounds.
    """
    sides = (client, server)
    last = [None, None]
    done = [False, False]
    for _ in range(max_rounds):
        changed = False
        for i, ctx in enumerate(sides):
            if done[i]:
                continue
            status = st.sectrans_handshake(ctx)
            if status != last[i]:
                changed = True
            last[i] = status
            if status == WOULD_BLOCK:
                continue
            if status in BREAK_CODES and not stop_on_break:
                continue
            done[i] = True
            changed = True
        moved = pump(client, server)
        if all(done):
            return tuple(last)
        if not moved and not changed:
            if any(done):
                return tuple(last)
            raise AssertionError(
                "handshake stalled: client %s, server %s; wants %d/%d"
                % (
                    describe(last[0], client),
                    describe(last[1], server),
                    st.sectrans_wants(client),
                    st.sectrans_wants(server),
                )
            )
    raise AssertionError(
        "handshake not finished after %d rounds: client %s, server %s"
        % (max_rounds, describe(last[0], client), describe(last[1], server))
    )


def handshake(client, server, **kw):
    """drive_handshake, asserting that both sides succeed."""
    c, s = drive_handshake(client, server, **kw)
    if c != 0 or s != 0:
        raise AssertionError(
            "handshake failed: client %s; server %s" % (describe(c, client), describe(s, server))
        )


def write_all(ctx, data):
    """sectrans_write of all of data (the memory transport takes it all);
    returns the status (0 or would-block)."""
    status, processed = st.sectrans_write(ctx, data)
    check(status, "sectrans_write", ctx, expected=(0, WOULD_BLOCK))
    assert processed == len(data), "sectrans_write processed %d of %d" % (processed, len(data))
    return status


def read_all(ctx, limit=1 << 24, bufsize=65536, max_reads=10000):
    """Reads what ctx can deliver without more input: returns (data, status)
    where status is the one that stopped reading (would-block, -9805, ...)."""
    out = bytearray()
    buf = bytearray(bufsize)
    status = 0
    for _ in range(max_reads):
        status, n = st.sectrans_read(ctx, buf)
        out += buf[:n]
        if status != 0 or len(out) >= limit:
            break
    return bytes(out), status


def transfer(sender, receiver, data, max_rounds=1000):
    """Writes data on sender and reads it on receiver, pumping in between.
    Returns the bytes received (asserted equal to data)."""
    write_all(sender, data)
    got = bytearray()
    for _ in range(max_rounds):
        moved = pump(sender, receiver)
        chunk, status = read_all(receiver, limit=len(data) - len(got))
        got += chunk
        check(status, "sectrans_read", receiver, expected=(0, WOULD_BLOCK))
        if len(got) >= len(data):
            break
        if not moved and not chunk:
            # Maybe the sender still holds queued records (would-block).
            status, _ = st.sectrans_write(sender, None)
            if not pump(sender, receiver):
                raise AssertionError(
                    "transfer stalled after %d of %d bytes" % (len(got), len(data))
                )
    assert bytes(got) == bytes(data), "transfer: received data differs"
    return bytes(got)
