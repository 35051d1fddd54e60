"""Tests of the low-level module sectrans._sectrans itself: the conventions of
bindings/python/LOWLEVEL.md (tuple returns, owned handles released by the
garbage collector, the buffer protocol, None as NULL, the size query of the
(buf, *len) protocol, the import-time checks). The core's semantics are
tested elsewhere, on top of helpers.py.
"""

import array
import gc
import os
import pathlib
import re
import subprocess
import sys
import textwrap

import helpers
import paths
import pytest
from helpers import CLIENT, SERVER, WOULD_BLOCK, check, st

HEADER = os.path.join(helpers.REPO, "core", "include", "sectrans", "sectrans.h")
PARAM = st.SECTRANS_ERR_PARAM
HANDLE_TYPES = (
    "sectrans_context",
    "sectrans_config",
    "sectrans_identity",
    "sectrans_certificate",
    "sectrans_trust",
    "sectrans_trust_store",
)
# Functions the module leaves out on purpose (LOWLEVEL.md).
NOT_WRAPPED = re.compile(
    r"^sectrans_(retain|release|\w+_retain|\w+_release|"
    r"set_io_funcs|set_connection|get_connection|"
    r"set_keylog_callback|config_set_keylog_callback)$"
)


# ---------------------------------------------------------------------------
# The header, parsed: what the module must offer


def _header_text():
    with open(HEADER) as f:
        text = f.read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def header_functions():
    """{name: (return type, [parameter declarations])} of every SECTRANS_API
    function."""
    text = _header_text()
    out = {}
    for m in re.finditer(r"SECTRANS_API\s+([^;]*?)\b(sectrans_\w+)\s*\(([^)]*)\)\s*;", text):
        params = [" ".join(p.split()) for p in m.group(3).split(",")]
        out[m.group(2)] = (" ".join(m.group(1).split()), [] if params == ["void"] else params)
    return out


def header_constants():
    """{name: value or None} of enum constants and numeric #defines."""
    text = _header_text()
    names = {}
    for body in re.findall(r"enum\s+\w+\s*\{(.*?)\}", text, flags=re.S):
        for m in re.finditer(r"\b(SECTRANS_[A-Z0-9_]+)\s*=", body):
            names[m.group(1)] = None
    for m in re.finditer(r"#define\s+(SECTRANS_[A-Z0-9_]+)[ \t]+(\S[^\n]*)", text):
        if m.group(1) != "SECTRANS_API":
            names[m.group(1)] = None
    return names


FUNCTIONS = header_functions()


def test_header_parse_sanity():
    assert len(FUNCTIONS) > 60
    assert "sectrans_handshake" in FUNCTIONS
    assert "SECTRANS_WOULD_BLOCK" in header_constants()


def test_every_header_function_is_wrapped():
    missing = [n for n in FUNCTIONS if not NOT_WRAPPED.match(n) and not hasattr(st, n)]
    assert not missing, "functions of sectrans.h missing from the module: %s" % missing


def test_refcount_and_callback_functions_are_not_exposed():
    for name in FUNCTIONS:
        if NOT_WRAPPED.match(name):
            assert not hasattr(st, name), name
    assert "sectrans_context_release" in FUNCTIONS  # the regex did match something


def test_every_constant_is_an_int():
    for name in header_constants():
        value = getattr(st, name)
        assert type(value) is int, (name, value)
    assert st.SECTRANS_WOULD_BLOCK == -9803
    assert st.SECTRANS_CLIENT == 1 and st.SECTRANS_SERVER == 0
    assert st.SECTRANS_ERR_BUFFER_OVERFLOW == -9817
    assert st.SECTRANS_MAX_IO_LENGTH == sys.maxsize  # PTRDIFF_MAX on this ABI
    assert st.SECTRANS_VERSION_NUMBER == (
        st.SECTRANS_VERSION_MAJOR * 10000
        + st.SECTRANS_VERSION_MINOR * 100
        + st.SECTRANS_VERSION_PATCH
    )


# ---------------------------------------------------------------------------
# Versions and the import-time checks


def test_version_and_check_version():
    major, minor = st.SECTRANS_VERSION_MAJOR, st.SECTRANS_VERSION_MINOR
    assert st.sectrans_version() >= st.SECTRANS_VERSION_NUMBER
    assert st.sectrans_version() // 10000 == major
    assert st.sectrans_check_version(major, minor) == 0
    assert st.sectrans_check_version(major + 1, 0) == st.SECTRANS_ERR_BAD_CONFIGURATION
    assert st.sectrans_check_version(major, minor + 1) == st.SECTRANS_ERR_BAD_CONFIGURATION
    with pytest.raises((OverflowError, TypeError)):
        st.sectrans_check_version(-1, 0)


def test_package_import_and_load_error():
    import sectrans

    assert sectrans._sectrans is st
    assert os.path.dirname(st.__file__) == os.path.join(helpers.PYTHON_DIR, "sectrans")
    assert st.sectrans_load_error() is None


def _run_python(code, env=None, timeout=60):
    full_env = paths.python_env(env)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
    )


def test_import_fails_clearly_when_boringssl_cannot_load(tmp_path):
    r = _run_python(
        """
        try:
            import sectrans
        except ImportError as e:
            print("IMPORTERROR", e)
        else:
            print("IMPORTED")
        """,
        env={"SECTRANS_BORINGSSL_DIR": str(tmp_path / "nowhere")},
    )
    assert r.returncode == 0, r.stderr
    assert "IMPORTERROR" in r.stdout and "BoringSSL could not be loaded" in r.stdout
    assert "dlopen" in r.stdout


@pytest.mark.parametrize(
    "check_status,load_error,message",
    [
        (-9848, None, "cannot serve this module"),
        (0, "dlopen: libcrypto.so.0: cannot open shared object file", "libcrypto.so.0"),
    ],
)
def test_init_raises_importerror(tmp_path, check_status, load_error, message):
    # __init__.py over a stand-in _sectrans: the checks, not the library.
    pkg = tmp_path / "sectrans"
    pkg.mkdir()
    init = os.path.join(helpers.PYTHON_DIR, "sectrans", "__init__.py")
    pkg.joinpath("__init__.py").write_text(open(init).read())
    pkg.joinpath("_sectrans.py").write_text(
        textwrap.dedent(
            """
        SECTRANS_SUCCESS = 0
        SECTRANS_VERSION_MAJOR = 1
        SECTRANS_VERSION_MINOR = 0
        def sectrans_check_version(major, minor): return %d
        def sectrans_version(): return 20000
        def sectrans_status_string(s): return "errSSLBadConfiguration"
        def sectrans_load_error(): return %r
        """
            % (check_status, load_error)
        )
    )
    r = _run_python(
        """
        try:
            import sectrans
        except ImportError as e:
            print("IMPORTERROR", e)
        """,
        env={"PYTHONPATH": str(tmp_path)},
    )
    assert r.returncode == 0, r.stderr
    assert "IMPORTERROR" in r.stdout and message in r.stdout, r.stdout


# ---------------------------------------------------------------------------
# Strings

# Every status code's name: tests/core/test_misuse.py.


def test_const_char_returns_are_str_or_none():
    assert st.sectrans_cipher_name(0x1301) == "TLS_AES_128_GCM_SHA256"
    assert st.sectrans_cipher_name(0xFFFF) is None
    assert st.sectrans_group_name(29) == "X25519"
    assert st.sectrans_protocol_name(st.SECTRANS_PROTOCOL_TLS13) == "TLSv1.3"
    assert st.sectrans_context_error_detail(None) == ""
    with pytest.raises(OverflowError):
        st.sectrans_cipher_name(0x10000)


# ---------------------------------------------------------------------------
# None as a NULL handle, across the whole API

SCALAR_OUT = re.compile(r"^(int|int32_t|int64_t|uint16_t|size_t|sectrans_status) \*\w+$")


def _null_call_args(name, params):
    """Python arguments for calling name with None for its first handle and
    harmless values elsewhere; None when the function takes no handle
    first."""
    first = params[0] if params else ""
    if not re.match(
        r"^(const )?sectrans_(context|config|identity|certificate|trust|"
        r"trust_store) \*\w+$",
        first,
    ):
        return None
    args = [None]
    i = 1
    while i < len(params):
        p, nxt = params[i], params[i + 1] if i + 1 < len(params) else ""
        if p.startswith("const void *") and nxt.startswith("size_t "):
            args.append(b"\x00")
            i += 2
        elif p == "const char *name" and nxt.startswith("size_t "):
            args.append("localhost")
            i += 2
        elif p == "const char *label" and nxt == "size_t label_len":
            args.append("x")
            i += 2
        elif p == "void *out" and nxt == "size_t out_len":
            args.append(16)  # the exporter's output: a length
            i += 2
        elif p.startswith("const uint16_t *") and nxt.startswith("size_t "):
            args.append([0x1301])
            i += 2
        elif p.startswith("void *") and nxt.startswith("size_t *"):
            if name == "sectrans_take_output":
                args.append(bytearray(16))
            i += 2
        elif p.startswith("void *") and nxt.startswith("size_t "):
            args.append(bytearray(16))
            i += 2
        elif p.startswith(("char *", "uint16_t *")) and nxt.startswith("size_t *"):
            i += 2
        elif "**" in p or SCALAR_OUT.match(p) or p == "size_t *processed":
            i += 1
        elif p.startswith("const char *"):
            args.append("x")
            i += 1
        elif re.match(r"^(int|size_t|uint16_t|uint32_t|int64_t|sectrans_status) \w+$", p):
            args.append(0)
            i += 1
        elif re.match(r"^(const )?sectrans_\w+ \*\w+$", p):
            args.append(None)
            i += 1
        else:
            raise AssertionError("test does not know parameter %r of %s" % (p, name))
    return args


NULL_CASES = sorted(
    (name, args)
    for name, (ret, params) in FUNCTIONS.items()
    if not NOT_WRAPPED.match(name)
    for args in [_null_call_args(name, params)]
    if args is not None
)


def test_null_cases_cover_the_api():
    assert len(NULL_CASES) > 50


@pytest.mark.parametrize("name,args", NULL_CASES, ids=[c[0] for c in NULL_CASES])
def test_none_handle_gives_param_error(name, args):
    result = getattr(st, name)(*args)
    if name == "sectrans_wants":
        assert result == 0
        return
    if name == "sectrans_context_error_detail":
        assert result == ""
        return
    if isinstance(result, tuple):
        status, outs = result[0], result[1:]
        assert status == PARAM, (name, result)
        for out in outs:
            if name in ("sectrans_read", "sectrans_write", "sectrans_take_output"):
                assert out == 0, (name, result)  # byte counts are always ints
            else:
                assert out is None, (name, result)
    else:
        assert result == PARAM, (name, result)


def test_wrong_handle_type_is_a_typeerror():
    config = check(st.sectrans_config_create(CLIENT))
    with pytest.raises(TypeError):
        st.sectrans_handshake(config)
    with pytest.raises(TypeError):
        st.sectrans_handshake(42)


def test_handle_types_have_no_constructor():
    for name in HANDLE_TYPES:
        with pytest.raises(TypeError):
            getattr(st, name)()


# ---------------------------------------------------------------------------
# Tuple returns, handles, garbage collection


def test_create_returns_status_and_owned_handle():
    result = st.sectrans_context_create(CLIENT, st.SECTRANS_STREAM)
    assert isinstance(result, tuple) and len(result) == 2
    assert result[0] == 0 and isinstance(result[1], st.sectrans_context)
    assert result[1].thisown


def test_failed_create_returns_none():
    assert st.sectrans_context_create(7, st.SECTRANS_STREAM) == (PARAM, None)
    assert st.sectrans_context_create(CLIENT, st.SECTRANS_DATAGRAM) == (
        st.SECTRANS_ERR_UNIMPLEMENTED,
        None,
    )
    assert st.sectrans_certificate_create_from_der(b"not a certificate") == (
        st.SECTRANS_ERR_DECODE,
        None,
    )


def test_no_out_parameters_returns_plain_int():
    ctx = check(st.sectrans_context_create(CLIENT, st.SECTRANS_STREAM))
    assert st.sectrans_set_verify_mode(ctx, st.SECTRANS_VERIFY_NONE) == 0
    assert type(st.sectrans_set_verify_mode(ctx, 99)) is int
    assert st.sectrans_set_verify_mode(ctx, 99) == PARAM


def test_scalar_outputs_and_none_on_failure():
    ctx = check(st.sectrans_context_create(CLIENT, st.SECTRANS_STREAM))
    assert st.sectrans_get_session_state(ctx) == (0, st.SECTRANS_STATE_IDLE)
    assert st.sectrans_get_verify_mode(ctx) == (0, st.SECTRANS_VERIFY_FULL)
    assert st.sectrans_output_pending(ctx) == (0, 0)
    assert st.sectrans_get_buffered_read_size(ctx) == (0, 0)
    status, protocol = st.sectrans_get_protocol_version_max(ctx)
    assert status == 0 and type(protocol) is int
    # No session yet: -909 and the output is None, not a stale number.
    assert st.sectrans_get_negotiated_cipher(ctx) == (st.SECTRANS_ERR_BAD_REQ, None)


def _rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_garbage_collector_releases_handles(pki):
    """Thousands of contexts, configs, identities, certificates and stores
    made and dropped: memory stays flat (a context alone holds ~25 KB, so a
    leak of any one kind shows as tens of MB)."""
    leaf = pki.ecdsa_p256

    def churn(n):
        for _ in range(n):
            identity = check(
                st.sectrans_identity_create_from_pem(leaf.cert_pem, leaf.key_pem, None)
            )
            cert = check(st.sectrans_identity_copy_certificate(identity, 0))
            config = check(st.sectrans_config_create(SERVER))
            check(st.sectrans_config_set_identity(config, identity))
            store = check(st.sectrans_trust_store_create())
            check(st.sectrans_trust_store_add_pem(store, leaf.ca_pem))
            check(st.sectrans_config_set_trust_store(config, store))
            server = check(st.sectrans_context_create_with_config(config))
            client = check(st.sectrans_context_create(CLIENT, st.SECTRANS_STREAM))
            del identity, cert, config, store, server, client

    churn(200)
    gc.collect()
    before = _rss()
    churn(2000)
    gc.collect()
    grown = _rss() - before
    assert grown < 8 << 20, "memory grew by %.1f MB: handles leak" % (grown / 1e6)


def test_retained_handles_outlive_their_proxies(pki):
    """A handle given to another one is retained by it: dropping the Python
    object must not free what the other still uses."""
    leaf = pki.ecdsa_p256
    identity = check(st.sectrans_identity_create_from_pem(leaf.cert_pem, leaf.key_pem, None))
    config = check(st.sectrans_config_create(SERVER))
    check(st.sectrans_config_set_identity(config, identity))
    cert = check(st.sectrans_identity_copy_certificate(identity, 0))
    server = check(st.sectrans_context_create_with_config(config))
    client = helpers.make_context(CLIENT, anchors=leaf.ca_pem, peer_name="localhost")
    del identity, config
    gc.collect()
    helpers.handshake(client, server)
    assert check(st.sectrans_certificate_copy_der(cert)) == leaf.leaf_der
    trust = check(st.sectrans_copy_peer_trust(client))
    peer_cert = check(st.sectrans_trust_copy_certificate(trust, 0))
    del client, server, trust
    gc.collect()
    assert check(st.sectrans_certificate_copy_der(peer_cert)) == leaf.leaf_der


# ---------------------------------------------------------------------------
# Input buffers


@pytest.mark.parametrize("kind", ["bytes", "bytearray", "memoryview", "array", "slice"])
def test_input_buffers_accept_bytes_like(pki, kind):
    der = pki.ecdsa_p256.leaf_der
    data = {
        "bytes": der,
        "bytearray": bytearray(der),
        "memoryview": memoryview(der),
        "array": array.array("B", der),
        "slice": memoryview(b"xx" + der + b"yy")[2:-2],
    }[kind]
    cert = check(st.sectrans_certificate_create_from_der(data))
    assert check(st.sectrans_certificate_copy_der(cert)) == der


def test_input_buffers_refuse_str_and_none_is_null(pki):
    with pytest.raises(TypeError):
        st.sectrans_certificate_create_from_der(pki.ecdsa_p256.leaf_pem.decode())
    with pytest.raises(TypeError):
        st.sectrans_certificate_create_from_der(12)
    # None is (NULL, 0), which the library refuses.
    assert st.sectrans_certificate_create_from_der(None) == (PARAM, None)


def test_identity_from_pem_arguments(pki):
    leaf = pki.ecdsa_p256
    identity = check(st.sectrans_identity_create_from_pem(leaf.cert_pem, leaf.key_pem, None))
    assert isinstance(identity, st.sectrans_identity)
    assert st.sectrans_identity_get_certificate_count(identity) == (0, 2)
    # key None: the key is in the same buffer.
    check(st.sectrans_identity_create_from_pem(leaf.combined_pem, None, None))
    # password as bytes or str.
    check(st.sectrans_identity_create_from_pem(leaf.cert_pem, leaf.key_pem_encrypted, pki.password))
    check(
        st.sectrans_identity_create_from_pem(
            leaf.cert_pem, leaf.key_pem_encrypted, pki.password.decode()
        )
    )
    assert st.sectrans_identity_create_from_pem(leaf.cert_pem, leaf.key_pem_encrypted, "wrong") == (
        st.SECTRANS_ERR_AUTH_FAILED,
        None,
    )
    with pytest.raises(ValueError):
        st.sectrans_identity_create_from_pem(leaf.cert_pem, leaf.key_pem, b"a\0b")
    with pytest.raises(TypeError):
        st.sectrans_identity_create_from_pem(leaf.cert_pem, leaf.key_pem, 5)


def test_path_arguments(pki):
    store = check(st.sectrans_trust_store_create())
    assert st.sectrans_trust_store_add_pem_file(store, pki.ca_file) == 0
    assert st.sectrans_trust_store_add_pem_file(store, pki.ca_file.encode()) == 0
    assert st.sectrans_trust_store_add_pem_file(store, pathlib.Path(pki.ca_file)) == 0
    assert st.sectrans_trust_store_add_pem_file(store, None) == PARAM
    assert st.sectrans_trust_store_get_count(store) == (0, 3)


def test_peer_domain_name_str_bytes_none():
    ctx = check(st.sectrans_context_create(CLIENT, st.SECTRANS_STREAM))
    assert st.sectrans_get_peer_domain_name(ctx) == (0, b"")
    assert st.sectrans_set_peer_domain_name(ctx, "localhost") == 0
    assert st.sectrans_get_peer_domain_name(ctx) == (0, b"localhost")
    assert st.sectrans_set_peer_domain_name(ctx, b"example.com") == 0
    assert st.sectrans_get_peer_domain_name(ctx) == (0, b"example.com")
    assert st.sectrans_set_peer_domain_name(ctx, bytearray(b"a.example")) == 0
    assert st.sectrans_get_peer_domain_name(ctx) == (0, b"a.example")
    assert st.sectrans_set_peer_domain_name(ctx, None) == 0
    assert st.sectrans_get_peer_domain_name(ctx) == (0, b"")
    # The length travels with the data: an embedded NUL reaches the library.
    assert st.sectrans_set_peer_domain_name(ctx, "a\0b") == PARAM
    with pytest.raises(TypeError):
        st.sectrans_set_peer_domain_name(ctx, 5)


def test_cipher_suite_sequences():
    ctx = check(st.sectrans_context_create(CLIENT, st.SECTRANS_STREAM))
    supported = check(st.sectrans_get_supported_ciphers(ctx))
    assert isinstance(supported, list) and supported
    assert all(type(s) is int for s in supported)
    assert 0x1301 in supported
    assert st.sectrans_set_enabled_ciphers(ctx, [0x1301, 0xC02B]) == 0
    assert st.sectrans_set_enabled_ciphers(ctx, (0x1301, 0xC02F)) == 0
    assert st.sectrans_set_enabled_ciphers(ctx, range(0xC02B, 0xC02D)) == 0
    enabled = check(st.sectrans_get_enabled_ciphers(ctx))
    assert isinstance(enabled, list) and 0xC02B in enabled
    assert st.sectrans_set_enabled_ciphers(ctx, None) == PARAM
    assert st.sectrans_set_enabled_ciphers(ctx, []) == PARAM
    with pytest.raises(OverflowError):
        st.sectrans_set_enabled_ciphers(ctx, [0x10000])
    with pytest.raises(OverflowError):
        st.sectrans_set_enabled_ciphers(ctx, [-1])
    with pytest.raises(TypeError):
        st.sectrans_set_enabled_ciphers(ctx, 0x1301)
    with pytest.raises(TypeError):
        st.sectrans_set_enabled_ciphers(ctx, ["TLS_AES_128_GCM_SHA256"])


# ---------------------------------------------------------------------------
# Writable buffers: read, take_output; write


def test_take_output_fills_the_given_buffer():
    ctx = check(st.sectrans_context_create(CLIENT, st.SECTRANS_STREAM))
    check(st.sectrans_set_peer_domain_name(ctx, "localhost"))
    assert st.sectrans_handshake(ctx) == WOULD_BLOCK
    pending = check(st.sectrans_output_pending(ctx))
    assert pending > 0
    backing = bytearray(b"\xaa" * (pending + 20))
    view = memoryview(backing)[10 : 10 + pending + 5]
    status, n = st.sectrans_take_output(ctx, view)
    assert status == 0 and n == pending
    assert backing[:10] == b"\xaa" * 10 and backing[10 + n :] == b"\xaa" * 10
    assert backing[10] == 0x16  # a TLS handshake record
    assert st.sectrans_take_output(ctx, bytearray(10)) == (0, 0)  # nothing left


def test_writable_buffers_refuse_readonly():
    ctx = check(st.sectrans_context_create(CLIENT, st.SECTRANS_STREAM))
    for fn in (st.sectrans_take_output, st.sectrans_read):
        with pytest.raises((TypeError, BufferError)):
            fn(ctx, b"read-only")
        with pytest.raises((TypeError, BufferError)):
            fn(ctx, memoryview(bytearray(4)).toreadonly())


def test_read_write_round_trip(pki):
    client, server = helpers.make_pair(pki.ecdsa_p256)
    helpers.handshake(client, server)
    payload = memoryview(b"--hello, sectrans--")[2:-2]
    assert st.sectrans_write(client, payload) == (0, len(payload))
    helpers.pump(client, server)
    buf = bytearray(100)
    status, n = st.sectrans_read(server, memoryview(buf)[5:])
    assert status == 0 and n == len(payload)
    assert bytes(buf[5 : 5 + n]) == bytes(payload)
    status, n = st.sectrans_read(server, bytearray(100))
    assert (status, n) == (WOULD_BLOCK, 0)
    assert st.sectrans_write(client, None) == (0, 0)  # only flushes
    assert st.sectrans_read(server, bytearray(0)) == (0, 0)


def test_feed_input_accepts_bytes_like():
    ctx = check(st.sectrans_context_create(SERVER, st.SECTRANS_STREAM))
    assert st.sectrans_feed_input(ctx, bytearray(b"")) == 0
    assert st.sectrans_feed_input(ctx, memoryview(b"\x16\x03")) == 0
    with pytest.raises(TypeError):
        st.sectrans_feed_input(ctx, "text")


# ---------------------------------------------------------------------------
# The (buf, *len) protocol, done inside the module


def test_sized_outputs_return_bytes(pki):
    leaf = pki.rsa2048
    cert = check(st.sectrans_certificate_create_from_pem(leaf.cert_pem))
    assert check(st.sectrans_certificate_copy_der(cert)) == leaf.leaf_der
    pem = check(st.sectrans_certificate_copy_pem(cert))
    assert isinstance(pem, bytes) and pem.startswith(b"-----BEGIN CERTIFICATE-----")
    assert check(st.sectrans_certificate_copy_sha256(cert)) == leaf.sha256
    for fn in (
        st.sectrans_certificate_copy_subject,
        st.sectrans_certificate_copy_issuer,
        st.sectrans_certificate_copy_san,
    ):
        value = check(fn(cert))
        assert isinstance(value, bytes) and value
    status, not_before, not_after = st.sectrans_certificate_get_validity(cert)
    assert status == 0
    assert not_before == int(leaf.cert.not_valid_before_utc.timestamp())
    assert not_after == int(leaf.cert.not_valid_after_utc.timestamp())


def test_trust_outputs(pki):
    client, server = helpers.make_pair(pki.expired)
    c, _ = helpers.drive_handshake(client, server)
    assert c == st.SECTRANS_ERR_CERT_EXPIRED
    trust = check(st.sectrans_copy_peer_trust(client))
    assert isinstance(trust, st.sectrans_trust)
    assert st.sectrans_trust_get_result(trust) == (0, st.SECTRANS_ERR_CERT_EXPIRED)
    status, code = st.sectrans_trust_get_verify_code(trust)
    assert status == 0 and type(code) is int and code != 0
    detail = check(st.sectrans_trust_copy_detail(trust))
    assert isinstance(detail, bytes) and detail
    assert st.sectrans_trust_get_certificate_count(trust) == (0, 2)
    assert st.sectrans_trust_copy_certificate(trust, 2) == (PARAM, None)
    with pytest.raises(OverflowError):
        st.sectrans_trust_copy_certificate(trust, -1)
    assert isinstance(st.sectrans_context_error_detail(client), str)


def test_negotiated_alpn_bytes(pki):
    client, server = helpers.make_pair(
        pki.ecdsa_p256, client=dict(alpn=["h2", "http/1.1"]), server=dict(alpn=["http/1.1"])
    )
    helpers.handshake(client, server)
    assert st.sectrans_get_negotiated_alpn(client) == (0, b"http/1.1")
    client, server = helpers.make_pair(pki.ecdsa_p256)
    helpers.handshake(client, server)
    assert st.sectrans_get_negotiated_alpn(client) == (0, b"")


# ---------------------------------------------------------------------------
# The helpers themselves (other suites build on them)


def test_helpers_handshake_both_ways(pki):
    for use_config in (False, True):
        client, server = helpers.make_pair(pki.ecdsa_p256, use_config=use_config)
        assert helpers.drive_handshake(client, server) == (0, 0)
        assert helpers.transfer(client, server, b"ping" * 5000) == b"ping" * 5000
        assert helpers.transfer(server, client, b"pong") == b"pong"


def test_helpers_check_message(pki):
    client, server = helpers.make_pair(pki.wrong_name)
    with pytest.raises(AssertionError) as info:
        helpers.handshake(client, server)
    text = str(info.value)
    assert "errSSLHostNameMismatch (-9843)" in text and "detail:" in text
    with pytest.raises(AssertionError, match="errSSLWouldBlock"):
        check((WOULD_BLOCK, None), "something")
    assert check((0, 1, 2)) == (1, 2)
    assert check(0) is None


def test_helpers_drive_handshake_never_hangs(pki, monkeypatch):
    client, server = helpers.make_pair(pki.ecdsa_p256)
    with pytest.raises(AssertionError, match="not finished after 1 rounds"):
        helpers.drive_handshake(client, server, max_rounds=1)
    # A network that loses everything: both sides wait, nothing moves.
    client, server = helpers.make_pair(pki.ecdsa_p256)
    monkeypatch.setattr(helpers, "pump", lambda a, b, check_status=False: 0)
    with pytest.raises(AssertionError, match="stalled"):
        helpers.drive_handshake(client, server)


# ---------------------------------------------------------------------------
# The GIL is released around library calls (-threads)


def test_blocking_call_releases_the_gil():
    """A handshake blocked in recv() on a blocking socket must let other
    Python threads run. Run in a child process: were the GIL held, the child
    would hang, and the timeout turns that into a failure."""
    r = _run_python(
        """
        import socket, threading, time
        from sectrans import _sectrans as st
        a, b = socket.socketpair()
        status, ctx = st.sectrans_context_create(st.SECTRANS_CLIENT, st.SECTRANS_STREAM)
        assert st.sectrans_set_verify_mode(ctx, st.SECTRANS_VERIFY_NONE) == 0
        assert st.sectrans_set_fd(ctx, a.fileno()) == 0
        result = []
        t = threading.Thread(target=lambda: result.append(st.sectrans_handshake(ctx)))
        t.start()
        hello = b.recv(5)           # the ClientHello arrives: the thread now waits
        ticks = 0
        deadline = time.monotonic() + 0.3
        while time.monotonic() < deadline:
            ticks += 1              # Python runs while the thread is blocked
        b.shutdown(socket.SHUT_WR)  # end of stream: the handshake returns
        t.join(20)                  # (closing b over the unread rest of the
        b.close()                   # hello would be a reset: an I/O error)
        print("HELLO", hello[0], "TICKS", ticks > 1000, "RESULT", result)
        """,
        timeout=30,
    )
    assert r.returncode == 0, r.stderr
    assert "HELLO 22 TICKS True RESULT [-9806]" in r.stdout, r.stdout
