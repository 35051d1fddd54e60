"""Trust stores: sets of anchors.

Counts after each way of adding, the refusals (-36 unreadable, -26275 no
certificate, -909 once in use), the shared system store, and that every
anchor of a store is used.
"""

import subprocess
import sys

import helpers
import paths
import pytest
from helpers import check, st


def _store():
    return check(st.sectrans_trust_store_create())


def _count(store):
    return check(st.sectrans_trust_store_get_count(store))


def _bundle(pki):
    return pki.root.pem + pki.intermediate.pem + pki.untrusted_root.pem


# ---------------------------------------------------------------------------
# Adding


def test_new_store_is_empty():
    assert _count(_store()) == 0


def test_add_pem_counts(pki):
    store = _store()
    assert st.sectrans_trust_store_add_pem(store, pki.ca_pem) == 0
    assert _count(store) == 1
    assert st.sectrans_trust_store_add_pem(store, _bundle(pki)) == 0
    assert _count(store) == 4
    # Other blocks and text between certificates are skipped.
    assert (
        st.sectrans_trust_store_add_pem(
            store, b"# a comment\n" + pki.ecdsa_p256.key_pem + pki.ecdsa_p256.cert_pem
        )
        == 0
    )
    assert _count(store) == 6


def test_add_pem_file_counts(pki, tmp_path):
    store = _store()
    assert st.sectrans_trust_store_add_pem_file(store, pki.ca_file) == 0
    assert _count(store) == 1
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(_bundle(pki))
    assert st.sectrans_trust_store_add_pem_file(store, str(bundle)) == 0
    assert _count(store) == 4


def test_add_system_counts():
    system = check(st.sectrans_trust_store_copy_system())
    n = _count(system)
    store = _store()
    assert st.sectrans_trust_store_add_system(store) == 0
    assert _count(store) == n
    assert _count(system) == n  # the shared store is untouched


def test_add_system_then_own_anchor(pki):
    system_count = _count(check(st.sectrans_trust_store_copy_system()))
    store = _store()
    assert st.sectrans_trust_store_add_pem(store, pki.ca_pem) == 0
    assert st.sectrans_trust_store_add_system(store) == 0
    assert _count(store) == system_count + 1
    # Both kinds of anchor work: the test root verifies our leaf.
    client, server = helpers.make_pair(pki.ecdsa_p256, client=dict(anchors=store))
    helpers.handshake(client, server)


@pytest.mark.parametrize("what", ["missing", "directory"])
def test_unreadable_file_is_an_io_error(pki, tmp_path, what):
    path = tmp_path / "no-such-file.pem" if what == "missing" else tmp_path
    store = _store()
    assert st.sectrans_trust_store_add_pem_file(store, str(path)) == st.SECTRANS_ERR_IO
    assert _count(store) == 0


@pytest.mark.parametrize(
    "content",
    [
        b"no certificates here\n",
        b"KEY",  # replaced by a key PEM below
        b"DAMAGED",  # replaced by a damaged CERTIFICATE block below
    ],
)
def test_no_certificate_is_a_decode_error(pki, tmp_path, content):
    if content == b"KEY":
        content = pki.ecdsa_p256.key_pem
    elif content == b"DAMAGED":
        content = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
    store = _store()
    assert st.sectrans_trust_store_add_pem(store, content) == st.SECTRANS_ERR_DECODE
    path = tmp_path / "bad.pem"
    path.write_bytes(content)
    assert st.sectrans_trust_store_add_pem_file(store, str(path)) == st.SECTRANS_ERR_DECODE
    assert _count(store) == 0


def test_empty_file_is_a_decode_error(tmp_path):
    path = tmp_path / "empty.pem"
    path.write_bytes(b"")
    assert st.sectrans_trust_store_add_pem_file(_store(), str(path)) == st.SECTRANS_ERR_DECODE


def test_a_damaged_block_after_a_good_one_is_refused(pki):
    damaged = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
    store = _store()
    assert st.sectrans_trust_store_add_pem(store, pki.ca_pem + damaged) == st.SECTRANS_ERR_DECODE


# ---------------------------------------------------------------------------
# In use (additions after use give -909: test_misuse.py)


def _all_additions(store, pki):
    return [
        st.sectrans_trust_store_add_pem(store, pki.ca_pem),
        st.sectrans_trust_store_add_pem_file(store, pki.ca_file),
        st.sectrans_trust_store_add_system(store),
    ]


def test_a_store_in_use_still_verifies_for_many_contexts(pki):
    store = helpers.make_trust_store(pki.ca_pem)
    for _ in range(3):
        client, server = helpers.make_pair(pki.rsa2048, client=dict(anchors=store))
        helpers.handshake(client, server)
    assert _count(store) == 1


# ---------------------------------------------------------------------------
# The system store


def test_copy_system_returns_the_same_store_each_call(pki):
    first = check(st.sectrans_trust_store_copy_system())
    second = check(st.sectrans_trust_store_copy_system())
    assert first is not second  # two proxies ...
    assert int(first) == int(second)  # ... of one handle
    assert _count(first) == _count(second)
    # It is shared, so it never changes.
    assert _all_additions(first, pki) == [st.SECTRANS_ERR_BAD_REQ] * 3


_SYSTEM_COUNT_SCRIPT = r"""
from helpers import check, st
a = check(st.sectrans_trust_store_copy_system())
b = check(st.sectrans_trust_store_copy_system())
print(check(st.sectrans_trust_store_get_count(a)), int(a) == int(b))
"""


def _system_count(env_changes):
    env = paths.python_env()
    env.pop("SSL_CERT_FILE", None)
    env.pop("SSL_CERT_DIR", None)
    env.update(env_changes)
    proc = subprocess.run(
        [sys.executable, "-c", _SYSTEM_COUNT_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    count, same = proc.stdout.split()
    assert same == "True"
    return int(count)


def _subject_hash(path):
    return subprocess.run(
        ["openssl", "x509", "-hash", "-noout", "-in", path],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_system_store_reads_ssl_cert_file_and_dir(pki, tmp_path):
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(_bundle(pki))
    assert _system_count({"SSL_CERT_FILE": str(bundle)}) == 3
    # A hashed directory (c_rehash names), holding the root twice and the
    # untrusted root: duplicates of the file's anchors are kept once.
    certs = tmp_path / "certs"
    certs.mkdir()
    root_hash = _subject_hash(pki.ca_file)
    (certs / (root_hash + ".0")).write_bytes(pki.root.pem)
    (certs / "root-copy.pem").write_bytes(pki.root.pem)
    (certs / (_subject_hash(pki.untrusted_root.file) + ".0")).write_bytes(pki.untrusted_root.pem)
    (certs / "README").write_bytes(b"not a certificate file name")
    assert _system_count({"SSL_CERT_DIR": str(certs)}) == 2
    assert _system_count({"SSL_CERT_FILE": pki.intermediate_file, "SSL_CERT_DIR": str(certs)}) == 3
    # Nothing readable: an empty store, not an error.
    assert _system_count({"SSL_CERT_FILE": str(tmp_path / "missing.pem")}) == 0


# ---------------------------------------------------------------------------
# CA directories (sectrans_trust_store_add_directory, 1.1): the one file rule
# of sectrans.h, shared with SSL_CERT_DIR


def _add_directory(store, path):
    status, added = st.sectrans_trust_store_add_directory(store, str(path))
    return status, added


def test_add_directory_follows_the_file_rule(pki, tmp_path):
    """Hashed names, *.pem and *.crt are read (a bundle adds each of its
    certificates); other names, unreadable files and files without a
    certificate are skipped; repeats within the directory are added once."""
    d = tmp_path / "ca"
    d.mkdir()
    h = _subject_hash(pki.root.file)
    (d / (h + ".0")).write_bytes(pki.root.pem)  # hashed name
    (d / "root-link.pem").symlink_to(d / (h + ".0"))  # the same root again
    (d / "intermediate.crt").write_bytes(pki.intermediate.pem)  # *.crt
    (d / "bundle.pem").write_bytes(pki.untrusted_root.pem + pki.ecdsa_p256.leaf_pem)
    # Not named like a certificate file: ignored although they hold one.
    for name in ("other.cer", "README", "abcdef12.0.bak", "ABCDEF12.0", "abcdef1.0", "x.pem.old"):
        (d / name).write_bytes(pki.rsa2048.leaf_pem)
    # Named like one, but skipped: no certificate, a key only, a damaged
    # block, empty, a directory, a dangling link, a file that cannot be read.
    (d / "notes.pem").write_bytes(b"no certificates here\n")
    (d / "key.pem").write_bytes(pki.ecdsa_p256.key_pem)
    (d / "damaged.crt").write_bytes(
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
    )
    (d / "empty.pem").write_bytes(b"")
    (d / "subdir.pem").mkdir()
    (d / (h + ".1")).symlink_to(tmp_path / "missing.pem")
    (d / "unreadable.crt").symlink_to("/proc/self/mem")  # a regular file; read() fails
    store = _store()
    assert _add_directory(store, d) == (0, 4)
    assert _count(store) == 4
    # Repeats are dropped within one directory only, as add_pem keeps them.
    assert _add_directory(store, d) == (0, 4)
    assert _count(store) == 8
    # The anchors work: the root verifies a leaf under the intermediate.
    client, server = helpers.make_pair(pki.ecdsa_p256, client=dict(anchors=store))
    helpers.handshake(client, server)


def test_add_directory_without_certificates_adds_none(tmp_path):
    store = _store()
    assert _add_directory(store, tmp_path) == (0, 0)
    (tmp_path / "notes.txt").write_bytes(b"hello")
    assert _add_directory(store, tmp_path) == (0, 0)
    assert _count(store) == 0


@pytest.mark.parametrize("what", ["missing", "file"])
def test_add_directory_refuses_what_is_not_a_directory(pki, tmp_path, what):
    path = tmp_path / "missing" if what == "missing" else pki.root.file
    store = _store()
    assert _add_directory(store, path) == (st.SECTRANS_ERR_IO, None)
    assert _count(store) == 0


def test_add_directory_refuses_bad_arguments(pki, tmp_path):
    assert _add_directory(None, tmp_path) == (st.SECTRANS_ERR_PARAM, None)
    assert st.sectrans_trust_store_add_directory(_store(), None)[0] == st.SECTRANS_ERR_PARAM
    cert = check(st.sectrans_certificate_create_from_pem(pki.root.pem))
    with pytest.raises(TypeError):  # the wrapper checks the handle's kind
        st.sectrans_trust_store_add_directory(cert, str(tmp_path))


def test_add_der(pki):
    store = _store()
    assert st.sectrans_trust_store_add_der(store, pki.root.der) == 0
    assert _count(store) == 1
    # Truncated, trailing bytes, not a certificate: the PEM adder's -26275.
    for bad in (pki.root.der[:-1], pki.root.der + b"\0", b"\x30\x03\x02\x01\x01"):
        assert st.sectrans_trust_store_add_der(store, bad) == st.SECTRANS_ERR_DECODE
    assert st.sectrans_trust_store_add_der(store, b"") == st.SECTRANS_ERR_PARAM
    assert st.sectrans_trust_store_add_der(store, None) == st.SECTRANS_ERR_PARAM
    assert st.sectrans_trust_store_add_der(None, pki.root.der) == st.SECTRANS_ERR_PARAM
    assert _count(store) == 1
    client, server = helpers.make_pair(pki.ecdsa_p256, client=dict(anchors=store))
    helpers.handshake(client, server)


def test_add_directory_and_der_refused_once_in_use(pki, tmp_path):
    (tmp_path / "root.pem").write_bytes(pki.root.pem)
    first = check(st.sectrans_trust_store_copy_system())
    assert _add_directory(first, tmp_path) == (st.SECTRANS_ERR_BAD_REQ, None)
    assert st.sectrans_trust_store_add_der(first, pki.root.der) == st.SECTRANS_ERR_BAD_REQ
    store = helpers.make_trust_store(pki.ca_pem)
    helpers.make_pair(pki.rsa2048, client=dict(anchors=store))  # now in use
    assert _add_directory(store, tmp_path) == (st.SECTRANS_ERR_BAD_REQ, None)
    assert st.sectrans_trust_store_add_der(store, pki.root.der) == st.SECTRANS_ERR_BAD_REQ
    assert _count(store) == 1
