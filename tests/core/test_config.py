"""Configs (settings shared by many contexts) and the settings themselves:
protocol range with Secure Transport's values, cipher suites by IANA number,
the negotiated version, suite and group, and one config used from two
threads at once."""

import threading

import helpers
import pytest
from helpers import CLIENT, SERVER, check, st

TLS12 = st.SECTRANS_PROTOCOL_TLS12
TLS13 = st.SECTRANS_PROTOCOL_TLS13

ECDHE_ECDSA_AES128_GCM = 0xC02B
ECDHE_ECDSA_AES256_GCM = 0xC02C
ECDHE_ECDSA_CHACHA20 = 0xCCA9
ECDHE_RSA_AES128_GCM = 0xC02F
ECDHE_RSA_AES256_GCM = 0xC030
ECDHE_RSA_CHACHA20 = 0xCCA8
TLS_AES_128_GCM = 0x1301
UNKNOWN = (0x1234, 0xFFFF, 0x0000)


def _range(ctx):
    return (
        check(st.sectrans_get_protocol_version_min(ctx)),
        check(st.sectrans_get_protocol_version_max(ctx)),
    )


def _config(side, **settings):
    config = check(st.sectrans_config_create(side))
    for name, value in settings.items():
        check(
            getattr(st, "sectrans_config_set_" + name)(config, value), "sectrans_config_set_" + name
        )
    return config


def _from(config):
    return check(st.sectrans_context_create_with_config(config))


def _client_config(pki, **settings):
    return _config(CLIENT, trust_store=helpers.make_trust_store(pki.ca_pem), **settings)


def _server_config(leaf, **settings):
    return _config(SERVER, identity=helpers.make_identity(leaf), **settings)


def _connect(client, server):
    check(st.sectrans_set_peer_domain_name(client, "localhost"))
    helpers.handshake(client, server)


# ---------------------------------------------------------------------------
# Sharing, freezing, overriding


def test_contexts_from_one_config_share_its_settings(pki):
    ciphers = [ECDHE_ECDSA_AES256_GCM, TLS_AES_128_GCM]
    client_config = _client_config(
        pki,
        protocol_version_max=TLS12,
        verify_mode=st.SECTRANS_VERIFY_CHAIN_ONLY,
        alpn=helpers.encode_alpn(["h2"]),
        enabled_ciphers=ciphers,
    )
    server_config = _server_config(pki.ecdsa_p256, alpn=helpers.encode_alpn(["h2"]))
    for _ in range(2):
        client, server = _from(client_config), _from(server_config)
        assert _range(client) == (TLS12, TLS12)
        assert st.sectrans_get_verify_mode(client) == (0, st.SECTRANS_VERIFY_CHAIN_ONLY)
        assert check(st.sectrans_get_enabled_ciphers(client)) == ciphers
        _connect(client, server)
        for ctx in (client, server):
            assert st.sectrans_get_negotiated_protocol_version(ctx) == (0, TLS12)
            assert st.sectrans_get_negotiated_cipher(ctx) == (0, ECDHE_ECDSA_AES256_GCM)
            assert check(st.sectrans_get_negotiated_alpn(ctx)) == b"h2"


def test_refused_config_setters_change_nothing(pki):
    # (That every setter gives -909 once frozen is test_misuse.py's; here:
    # the refusal leaves the config, its contexts and the arguments as they
    # were.)
    config = _config(CLIENT)
    first = _from(config)
    identity = helpers.make_identity(pki.ecdsa_p256)
    store = check(st.sectrans_trust_store_create())
    calls = {
        "protocol_version_min": lambda: st.sectrans_config_set_protocol_version_min(config, TLS13),
        "protocol_version_max": lambda: st.sectrans_config_set_protocol_version_max(config, TLS12),
        "identity": lambda: st.sectrans_config_set_identity(config, identity),
        "trust_store": lambda: st.sectrans_config_set_trust_store(config, store),
        "verify_mode": lambda: st.sectrans_config_set_verify_mode(config, st.SECTRANS_VERIFY_NONE),
        "alpn": lambda: st.sectrans_config_set_alpn(config, b"\x02h2"),
        "enabled_ciphers": lambda: st.sectrans_config_set_enabled_ciphers(
            config, [ECDHE_ECDSA_AES128_GCM]
        ),
    }
    assert {name: call() for name, call in calls.items()} == {
        name: st.SECTRANS_ERR_BAD_REQ for name in calls
    }
    # Nothing changed, and the config still makes contexts.
    second = _from(config)
    for ctx in (first, second):
        assert _range(ctx) == (TLS12, TLS13)
        assert st.sectrans_get_verify_mode(ctx) == (0, st.SECTRANS_VERIFY_FULL)
    # The store refused by the frozen config was not taken: it can still grow.
    assert st.sectrans_trust_store_add_pem(store, pki.ca_pem) == 0


def test_per_context_override_wins_and_stays_on_that_context(pki):
    client_config = _client_config(pki, protocol_version_max=TLS12)
    server_config = _server_config(pki.ecdsa_p256, alpn=helpers.encode_alpn(["h2", "http/1.1"]))
    overridden, plain = _from(client_config), _from(client_config)
    assert st.sectrans_set_protocol_version_max(overridden, TLS13) == 0
    assert st.sectrans_set_alpn(overridden, helpers.encode_alpn(["h2", "http/1.1"])) == 0
    assert _range(overridden) == (TLS12, TLS13)
    assert _range(plain) == (TLS12, TLS12)

    server_a, server_b = _from(server_config), _from(server_config)
    assert st.sectrans_set_alpn(server_a, helpers.encode_alpn(["http/1.1"])) == 0

    _connect(overridden, server_a)
    assert st.sectrans_get_negotiated_protocol_version(overridden) == (0, TLS13)
    assert check(st.sectrans_get_negotiated_alpn(overridden)) == b"http/1.1"

    check(st.sectrans_set_alpn(plain, helpers.encode_alpn(["http/1.1", "h2"])))
    _connect(plain, server_b)
    assert st.sectrans_get_negotiated_protocol_version(plain) == (0, TLS12)
    assert check(st.sectrans_get_negotiated_alpn(plain)) == b"h2"  # the config's order


def test_per_context_identity_and_anchors_override_the_config(pki):
    # The config's anchors do not cover the test root; its identity is RSA.
    client_config = _config(CLIENT, trust_store=helpers.make_trust_store(pki.untrusted_root.pem))
    server_config = _server_config(pki.rsa2048)
    client, server = _from(client_config), _from(server_config)
    check(st.sectrans_set_trust_store(client, helpers.make_trust_store(pki.ca_pem)))
    check(st.sectrans_set_identity(server, helpers.make_identity(pki.ed25519)))
    _connect(client, server)
    trust = check(st.sectrans_copy_peer_trust(client))
    leaf = check(st.sectrans_trust_copy_certificate(trust, 0))
    assert check(st.sectrans_certificate_copy_der(leaf)) == pki.ed25519.leaf_der
    # Siblings keep the config's settings: RSA leaf, unknown root.
    client, server = _from(client_config), _from(server_config)
    check(st.sectrans_set_peer_domain_name(client, "localhost"))
    assert helpers.drive_handshake(client, server) == (
        st.SECTRANS_ERR_NO_ROOT_CERT,
        st.SECTRANS_ERR_PEER_UNKNOWN_CA,
    )
    trust = check(st.sectrans_copy_peer_trust(client))
    leaf = check(st.sectrans_trust_copy_certificate(trust, 0))
    assert check(st.sectrans_certificate_copy_der(leaf)) == pki.rsa2048.leaf_der


# ---------------------------------------------------------------------------
# Protocol versions


def test_protocol_constants_are_apple_values():
    assert (
        st.SECTRANS_PROTOCOL_TLS1,
        st.SECTRANS_PROTOCOL_TLS11,
        st.SECTRANS_PROTOCOL_TLS12,
        st.SECTRANS_PROTOCOL_TLS13,
        st.SECTRANS_PROTOCOL_MAX_SUPPORTED,
    ) == (4, 7, 8, 10, 999)
    assert st.sectrans_protocol_name(TLS13) == "TLSv1.3"
    assert st.sectrans_protocol_name(TLS12) == "TLSv1.2"


def test_default_range_is_tls12_to_tls13():
    assert _range(helpers.make_context(CLIENT)) == (TLS12, TLS13)
    assert _range(helpers.make_context(SERVER)) == (TLS12, TLS13)
    assert _range(_from(_config(CLIENT))) == (TLS12, TLS13)


@pytest.mark.parametrize(
    "setter, value, expected",
    [
        ("min", st.SECTRANS_PROTOCOL_TLS1, (TLS12, TLS13)),  # means TLS 1.2
        ("min", st.SECTRANS_PROTOCOL_TLS11, (TLS12, TLS13)),
        ("min", TLS12, (TLS12, TLS13)),
        ("min", TLS13, (TLS13, TLS13)),
        ("min", st.SECTRANS_PROTOCOL_MAX_SUPPORTED, (TLS13, TLS13)),
        ("max", TLS12, (TLS12, TLS12)),
        ("max", TLS13, (TLS12, TLS13)),
        ("max", st.SECTRANS_PROTOCOL_MAX_SUPPORTED, (TLS12, TLS13)),
    ],
)
def test_protocol_values(setter, value, expected):
    ctx = helpers.make_context(CLIENT)
    assert getattr(st, "sectrans_set_protocol_version_" + setter)(ctx, value) == 0
    assert _range(ctx) == expected
    # The config twin means the same.
    config = _config(CLIENT, **{"protocol_version_" + setter: value})
    assert _range(_from(config)) == expected


def test_min_above_max_raises_max_and_max_below_min_lowers_min():
    ctx = helpers.make_context(CLIENT)
    check(st.sectrans_set_protocol_version_max(ctx, TLS12))
    assert _range(ctx) == (TLS12, TLS12)
    check(st.sectrans_set_protocol_version_min(ctx, TLS13))  # raises max
    assert _range(ctx) == (TLS13, TLS13)
    check(st.sectrans_set_protocol_version_max(ctx, TLS12))  # lowers min
    assert _range(ctx) == (TLS12, TLS12)
    check(st.sectrans_set_protocol_version_max(ctx, TLS13))  # min stays
    assert _range(ctx) == (TLS12, TLS13)
    # The same rules on a config.
    config = _config(CLIENT, protocol_version_max=TLS12, protocol_version_min=TLS13)
    assert _range(_from(config)) == (TLS13, TLS13)
    config = _config(CLIENT, protocol_version_min=TLS13, protocol_version_max=TLS12)
    assert _range(_from(config)) == (TLS12, TLS12)


@pytest.mark.parametrize("side", ["client", "server"])
def test_negotiated_version_with_max_tls12_is_8(pki, side):
    limit = dict(max_version=TLS12)
    client, server = helpers.make_pair(pki.ecdsa_p256, **{side: limit})
    assert st.sectrans_get_negotiated_protocol_version(client) == (0, st.SECTRANS_PROTOCOL_UNKNOWN)
    helpers.handshake(client, server)
    assert st.sectrans_get_negotiated_protocol_version(client) == (0, 8)
    assert st.sectrans_get_negotiated_protocol_version(server) == (0, 8)


def test_negotiated_version_by_default_is_tls13(pki):
    client, server = helpers.make_pair(pki.ecdsa_p256)
    helpers.handshake(client, server)
    assert st.sectrans_get_negotiated_protocol_version(client) == (0, 10)
    assert st.sectrans_get_negotiated_protocol_version(server) == (0, 10)


def test_min_tls13_against_max_tls12_fails_on_both_sides(pki):
    client, server = helpers.make_pair(
        pki.ecdsa_p256, client=dict(min_version=TLS13), server=dict(max_version=TLS12)
    )
    c, s = helpers.drive_handshake(client, server)
    assert c not in (0, st.SECTRANS_WOULD_BLOCK) and s not in (0, st.SECTRANS_WOULD_BLOCK)


# ---------------------------------------------------------------------------
# Cipher suites


@pytest.mark.parametrize(
    "leaf_name, suite",
    [
        ("ecdsa_p256", ECDHE_ECDSA_AES128_GCM),
        ("ecdsa_p256", ECDHE_ECDSA_AES256_GCM),
        ("ecdsa_p256", ECDHE_ECDSA_CHACHA20),
        ("rsa2048", ECDHE_RSA_AES128_GCM),
        ("rsa2048", ECDHE_RSA_AES256_GCM),
        ("rsa2048", ECDHE_RSA_CHACHA20),
    ],
)
@pytest.mark.parametrize("side", ["client", "server"])
def test_one_tls12_suite_is_negotiated(pki, leaf_name, suite, side):
    settings = dict(ciphers=[suite])
    kw = {side: settings}
    kw.setdefault("client", {})["max_version"] = TLS12
    client, server = helpers.make_pair(pki.leaves[leaf_name], **kw)
    helpers.handshake(client, server)
    assert st.sectrans_get_negotiated_cipher(client) == (0, suite)
    assert st.sectrans_get_negotiated_cipher(server) == (0, suite)
    assert st.sectrans_cipher_name(suite)


def test_tls12_restriction_leaves_tls13_on(pki):
    client, server = helpers.make_pair(
        pki.ecdsa_p256, client=dict(ciphers=[ECDHE_ECDSA_AES256_GCM])
    )
    helpers.handshake(client, server)
    assert st.sectrans_get_negotiated_protocol_version(client) == (0, TLS13)
    suite = check(st.sectrans_get_negotiated_cipher(client))
    assert suite in (0x1301, 0x1302, 0x1303)


def test_unknown_suites_are_dropped():
    ctx = helpers.make_context(CLIENT)
    wanted = [
        UNKNOWN[0],
        ECDHE_RSA_CHACHA20,
        UNKNOWN[1],
        TLS_AES_128_GCM,
        ECDHE_ECDSA_AES128_GCM,
        UNKNOWN[2],
    ]
    assert st.sectrans_set_enabled_ciphers(ctx, wanted) == 0
    assert check(st.sectrans_get_enabled_ciphers(ctx)) == [
        ECDHE_RSA_CHACHA20,
        TLS_AES_128_GCM,
        ECDHE_ECDSA_AES128_GCM,
    ]


@pytest.mark.parametrize(
    "suites",
    [list(UNKNOWN), [ECDHE_ECDSA_AES128_GCM] * 513],
    ids=["none-supported", "over-maximum"],
)  # (an empty list: test_misuse.py)
def test_bad_cipher_lists_are_parameter_errors(suites):
    ctx = helpers.make_context(CLIENT)
    before = check(st.sectrans_get_enabled_ciphers(ctx))
    assert st.sectrans_set_enabled_ciphers(ctx, suites) == st.SECTRANS_ERR_PARAM
    assert check(st.sectrans_get_enabled_ciphers(ctx)) == before
    config = check(st.sectrans_config_create(CLIENT))
    assert st.sectrans_config_set_enabled_ciphers(config, suites) == st.SECTRANS_ERR_PARAM


def test_maximum_cipher_count_is_accepted():
    ctx = helpers.make_context(CLIENT)
    assert st.sectrans_set_enabled_ciphers(ctx, [ECDHE_ECDSA_AES128_GCM] * 512) == 0


def test_enabled_and_supported_ciphers():
    ctx = helpers.make_context(CLIENT)
    supported = check(st.sectrans_get_supported_ciphers(ctx))
    assert {0x1301, 0x1302, 0x1303} <= set(supported)
    assert {ECDHE_ECDSA_AES128_GCM, ECDHE_RSA_AES128_GCM, ECDHE_RSA_CHACHA20} <= set(supported)
    assert len(set(supported)) == len(supported)
    for suite in supported:
        assert st.sectrans_cipher_name(suite), hex(suite)
    assert st.sectrans_cipher_name(0x1301) == "TLS_AES_128_GCM_SHA256"
    # By default everything supported is enabled.
    assert check(st.sectrans_get_enabled_ciphers(ctx)) == supported
    # Restricting changes what is enabled, not what is supported.
    check(st.sectrans_set_enabled_ciphers(ctx, [ECDHE_RSA_AES256_GCM]))
    assert check(st.sectrans_get_enabled_ciphers(ctx)) == [ECDHE_RSA_AES256_GCM]
    assert check(st.sectrans_get_supported_ciphers(ctx)) == supported


def test_negotiated_cipher_needs_an_active_session(pki):
    client, server = helpers.make_pair(pki.ecdsa_p256)
    assert st.sectrans_get_negotiated_cipher(client) == (st.SECTRANS_ERR_BAD_REQ, None)
    helpers.handshake(client, server)
    assert check(st.sectrans_get_negotiated_cipher(client)) in (0x1301, 0x1302, 0x1303)


# ---------------------------------------------------------------------------
# Groups


def test_negotiated_group_is_x25519_by_default(pki):
    client, server = helpers.make_pair(pki.ecdsa_p256)
    assert st.sectrans_get_negotiated_group(client) == (0, 0)
    helpers.handshake(client, server)
    assert st.sectrans_get_negotiated_group(client) == (0, 29)
    assert st.sectrans_get_negotiated_group(server) == (0, 29)
    assert st.sectrans_group_name(29) == "X25519"


def test_negotiated_group_over_tls12_is_x25519(pki):
    client, server = helpers.make_pair(pki.rsa2048, client=dict(max_version=TLS12))
    helpers.handshake(client, server)
    assert st.sectrans_get_negotiated_group(client) == (0, 29)
    assert st.sectrans_get_negotiated_group(server) == (0, 29)


# ---------------------------------------------------------------------------
# One config, two threads, handshakes in parallel


def test_config_shared_by_contexts_on_two_threads(pki):
    client_config = _client_config(pki, alpn=helpers.encode_alpn(["h2"]))
    server_config = _server_config(pki.ecdsa_p256, alpn=helpers.encode_alpn(["h2"]))
    rounds = 25
    errors = []
    done = []
    start = threading.Barrier(2)

    def worker(index):
        try:
            start.wait(timeout=10)
            for i in range(rounds):
                client, server = _from(client_config), _from(server_config)
                _connect(client, server)
                assert check(st.sectrans_get_negotiated_alpn(client)) == b"h2"
                message = b"thread %d round %d" % (index, i)
                assert helpers.transfer(client, server, message) == message
            done.append(index)
        except BaseException as e:  # reported below, on the main thread
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    assert not errors, errors[0]
    assert sorted(done) == [0, 1]
