"""Offline trust evaluation, SecTrust style (header: sectrans_trust_create,
_set_anchors, _set_policy, _set_verify_time, _evaluate; design
"Verification failures"). No handshake: chains are built from the test PKI.

  - a new trust holds the chain as given and is unevaluated (-909);
  - every outcome, with the verify code and its text kept on the trust:
    trusted 0, host name -9843 (DNS and IP), expired -9814, not yet valid
    -9815, untrusted root -9812, incomplete chain -9813, other -9807 (a
    clientAuth-only leaf under the server policy);
  - defaults: the system anchors (which do not hold the test root: -9813),
    the server purpose, no name check;
  - set_anchors (retains and freezes the store), set_policy (server vs
    client purpose), set_verify_time (moves a valid chain into expired or
    not yet valid, and expired or not-yet-valid ones into validity);
  - every setter makes the trust unevaluated again, and evaluating again
    gives the new outcome;
  - misuse: NULL or empty chain, a NULL certificate in it, a host name over
    253 bytes, NULL anchors: -50;
  - the Python binding returns (status, trust) for sectrans_trust_create
    (LOWLEVEL.md: outputs are the out-parameters only).

The handshake's use of the same table is in test_verification.py.
"""

import ctypes
import gc
import os
import re

import helpers
import pytest
from auth_support import time_chain
from helpers import check, make_trust_store, st

NOT_EVALUATED = st.SECTRANS_ERR_BAD_REQ
PARAM = st.SECTRANS_ERR_PARAM
DAY = 86400


def certificates(pem):
    """Certificate handles for every PEM block of pem, in order."""
    blocks = re.findall(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", pem, re.S)
    assert blocks, "no certificate in the PEM data"
    return [check(st.sectrans_certificate_create_from_pem(b), "certificate_create") for b in blocks]


def der_certificate(der):
    return check(st.sectrans_certificate_create_from_der(der), "certificate_create")


def create(chain):
    """sectrans_trust_create: (status, trust)."""
    return st.sectrans_trust_create(chain)


def make_trust(chain, anchors=None, policy=None, when=None):
    """A trust over chain (handles or PEM bytes); anchors as for
    make_trust_store; policy (peer_is_server, host); when: verify time."""
    if isinstance(chain, bytes):
        chain = certificates(chain)
    trust = check(create(chain), "sectrans_trust_create")
    if anchors is not None:
        check(st.sectrans_trust_set_anchors(trust, make_trust_store(anchors)), "set_anchors")
    if policy is not None:
        check(st.sectrans_trust_set_policy(trust, *policy), "set_policy")
    if when is not None:
        check(st.sectrans_trust_set_verify_time(trust, when), "set_verify_time")
    return trust


def evaluate(trust):
    result = check(st.sectrans_trust_evaluate(trust), "sectrans_trust_evaluate")
    assert check(st.sectrans_trust_get_result(trust)) == result
    return result


def result_of(trust):
    return check(st.sectrans_trust_get_result(trust), "sectrans_trust_get_result")


# ---------------------------------------------------------------------------


def test_trust_create_returns_status_and_trust(pki):
    """The chain is an input only: no proxy of chain[0] comes back (one did,
    owning a reference it never got: released twice, it crashed)."""
    chain = certificates(pki.ecdsa_p256.cert_pem)
    result = st.sectrans_trust_create(chain)
    assert len(result) == 2, [type(r).__name__ for r in result]
    assert result[0] == 0 and isinstance(result[1], st.sectrans_trust)
    del result
    gc.collect()
    assert check(st.sectrans_certificate_copy_der(chain[0])) == pki.ecdsa_p256.leaf_der


def test_new_trust_holds_the_chain_unevaluated(pki):
    leaf = pki.ecdsa_p256
    trust = make_trust(leaf.cert_pem)
    assert result_of(trust) == NOT_EVALUATED
    assert check(st.sectrans_trust_get_certificate_count(trust)) == 2
    ders = [
        check(st.sectrans_certificate_copy_der(check(st.sectrans_trust_copy_certificate(trust, i))))
        for i in range(2)
    ]
    assert ders == [leaf.leaf_der, pki.intermediate.der]


SERVER = 1
CLIENT = 0

# (leaf, policy, result, verify code X509_V_*, words of its text)
OUTCOMES = [
    pytest.param("ecdsa_p256", (SERVER, "localhost"), 0, 0, "ok", id="trusted"),
    pytest.param(
        "ecdsa_p256",
        (SERVER, "other.example"),
        st.SECTRANS_ERR_HOST_NAME_MISMATCH,
        62,
        "hostname mismatch",
        id="dns-name-mismatch",
    ),
    pytest.param(
        "ecdsa_p256",
        (SERVER, "127.0.0.2"),
        st.SECTRANS_ERR_HOST_NAME_MISMATCH,
        64,
        "ip address mismatch",
        id="ip-mismatch",
    ),
    pytest.param(
        "expired", (SERVER, "localhost"), st.SECTRANS_ERR_CERT_EXPIRED, 10, "expired", id="expired"
    ),
    pytest.param(
        "not_yet_valid",
        (SERVER, "localhost"),
        st.SECTRANS_ERR_CERT_NOT_YET_VALID,
        9,
        "not yet valid",
        id="not-yet-valid",
    ),
    pytest.param(
        "untrusted",
        (SERVER, "localhost"),
        st.SECTRANS_ERR_UNKNOWN_ROOT_CERT,
        19,
        "self signed",
        id="untrusted-root",
    ),
    pytest.param(
        "incomplete",
        (SERVER, "localhost"),
        st.SECTRANS_ERR_NO_ROOT_CERT,
        20,
        "issuer",
        id="incomplete-chain",
    ),
    pytest.param(
        "client", (SERVER, None), st.SECTRANS_ERR_X_CERT_CHAIN_INVALID, 26, "purpose", id="other"
    ),
]


@pytest.mark.parametrize("leaf_name, policy, expected, code, words", OUTCOMES)
def test_outcome(pki, leaf_name, policy, expected, code, words):
    trust = make_trust(pki.leaves[leaf_name].cert_pem, anchors=pki.ca_pem, policy=policy)
    assert evaluate(trust) == expected
    assert check(st.sectrans_trust_get_verify_code(trust)) == code
    assert words in check(st.sectrans_trust_copy_detail(trust)).decode().lower()


def test_defaults_system_anchors_server_purpose_no_name(pki):
    # The system store does not hold the test root: no path to an anchor.
    trust = make_trust(pki.ecdsa_p256.cert_pem)
    assert evaluate(trust) == st.SECTRANS_ERR_NO_ROOT_CERT
    # With the test root: no name is checked by default ...
    assert evaluate(make_trust(pki.wrong_name.cert_pem, anchors=pki.ca_pem)) == 0
    # ... and the purpose is the server's.
    assert (
        evaluate(make_trust(pki.client.cert_pem, anchors=pki.ca_pem))
        == st.SECTRANS_ERR_X_CERT_CHAIN_INVALID
    )


def test_set_anchors(pki):
    trust = make_trust(pki.ecdsa_p256.cert_pem)
    store = make_trust_store(pki.ca_pem)
    check(st.sectrans_trust_set_anchors(trust, store), "set_anchors")
    assert evaluate(trust) == 0
    # The store is frozen once a trust uses it.
    assert st.sectrans_trust_store_add_pem(store, pki.untrusted_root.pem) == st.SECTRANS_ERR_BAD_REQ
    check(
        st.sectrans_trust_set_anchors(trust, make_trust_store(pki.untrusted_root.pem)),
        "set_anchors",
    )
    assert evaluate(trust) == st.SECTRANS_ERR_NO_ROOT_CERT


@pytest.mark.parametrize(
    "leaf_name, as_server, as_client",
    [
        ("ecdsa_p256", 0, st.SECTRANS_ERR_X_CERT_CHAIN_INVALID),  # EKU serverAuth
        ("client", st.SECTRANS_ERR_X_CERT_CHAIN_INVALID, 0),  # EKU clientAuth
    ],
)
def test_set_policy_selects_the_purpose(pki, leaf_name, as_server, as_client):
    trust = make_trust(pki.leaves[leaf_name].cert_pem, anchors=pki.ca_pem)
    check(st.sectrans_trust_set_policy(trust, SERVER, None), "set_policy")
    assert evaluate(trust) == as_server
    check(st.sectrans_trust_set_policy(trust, CLIENT, None), "set_policy")
    assert evaluate(trust) == as_client


@pytest.mark.parametrize(
    "leaf, offset, expected",
    [
        ("valid", 0, 0),
        ("valid", +10 * DAY, st.SECTRANS_ERR_CERT_EXPIRED),
        ("valid", -10 * DAY, st.SECTRANS_ERR_CERT_NOT_YET_VALID),
        ("expired", 0, st.SECTRANS_ERR_CERT_EXPIRED),
        ("expired", -45 * DAY, 0),
        ("future", 0, st.SECTRANS_ERR_CERT_NOT_YET_VALID),
        ("future", +45 * DAY, 0),
    ],
    ids=[
        "valid-now",
        "valid-later-expired",
        "valid-earlier-not-yet",
        "expired-now",
        "expired-back-then",
        "future-now",
        "future-later",
    ],
)
def test_set_verify_time(leaf, offset, expected):
    """A PKI of its own whose root is valid from 400 days ago to 400 days
    ahead; leaves valid [-1d, +1d], [-60d, -30d], [+30d, +60d]."""
    chain = time_chain()
    der = {"valid": chain.valid_der, "expired": chain.expired_der, "future": chain.future_der}[leaf]
    trust = make_trust(
        [der_certificate(der)],
        anchors=chain.root_pem,
        policy=(SERVER, "localhost"),
        when=chain.now + offset if offset else None,
    )
    assert evaluate(trust) == expected


SETTERS = {
    "anchors": (
        lambda pki, t: st.sectrans_trust_set_anchors(t, make_trust_store(pki.untrusted_root.pem)),
        st.SECTRANS_ERR_NO_ROOT_CERT,
    ),
    "policy": (
        lambda pki, t: st.sectrans_trust_set_policy(t, SERVER, "other.example"),
        st.SECTRANS_ERR_HOST_NAME_MISMATCH,
    ),
    "verify-time": (
        lambda pki, t: st.sectrans_trust_set_verify_time(t, int(pki.now.timestamp()) + 400 * DAY),
        st.SECTRANS_ERR_CERT_EXPIRED,
    ),
}


@pytest.mark.parametrize("setter", sorted(SETTERS))
def test_setter_makes_the_trust_unevaluated_again(pki, setter):
    trust = make_trust(pki.ecdsa_p256.cert_pem, anchors=pki.ca_pem, policy=(SERVER, "localhost"))
    assert evaluate(trust) == 0
    change, expected = SETTERS[setter]
    check(change(pki, trust), setter)
    assert result_of(trust) == NOT_EVALUATED
    assert check(st.sectrans_trust_copy_detail(trust)) != b"ok"
    assert evaluate(trust) == expected


def test_misuse(pki):
    cert = certificates(pki.ecdsa_p256.leaf_pem)[0]
    assert create([]) == (PARAM, None)
    assert create([None]) == (PARAM, None)
    assert create([cert, None]) == (PARAM, None)
    trust = make_trust([cert])
    assert st.sectrans_trust_set_policy(trust, SERVER, "a" * 254) == PARAM
    check(st.sectrans_trust_set_policy(trust, SERVER, "a" * 253), "set_policy 253 bytes")
    assert st.sectrans_trust_set_anchors(trust, None) == PARAM

    # A NULL chain pointer cannot be spelt in Python (None is not a
    # sequence): call the C function itself.
    lib = ctypes.CDLL(os.path.join(helpers.BUILD_DIR, "libsectrans.so.1"))
    lib.sectrans_trust_create.argtypes = [
        ctypes.c_void_p,
        ctypes.c_size_t,
        ctypes.POINTER(ctypes.c_void_p),
    ]
    lib.sectrans_trust_create.restype = ctypes.c_int32
    for count in (0, 2):
        out = ctypes.c_void_p(1)
        assert lib.sectrans_trust_create(None, count, ctypes.byref(out)) == PARAM
        assert out.value is None
