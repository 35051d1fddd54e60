"""Sans-I/O: SSLContext.wrap_bio over the package's MemoryBIO, against
Python's own ssl.SSLObject (both roles) in one thread, bytes moved by hand:
want-read until the peer's bytes arrive, write() never wants to write,
everything produced lands in `outgoing`, close_notify both ways, and a
stream cut without close_notify."""

import os
import ssl

import py_support as ps
import pytest

import sectrans


class Pair:
    """A sectrans SSLObject and an ssl.SSLObject joined by hand."""

    def __init__(self, ours, theirs, ours_bios, theirs_bios):
        self.ours, self.theirs = ours, theirs
        self.ours_in, self.ours_out = ours_bios
        self.theirs_in, self.theirs_out = theirs_bios

    def pump(self):
        """Moves all pending ciphertext both ways; True if anything moved."""
        moved = False
        if self.ours_out.pending:
            self.theirs_in.write(self.ours_out.read())
            moved = True
        if self.theirs_out.pending:
            self.ours_in.write(self.theirs_out.read())
            moved = True
        return moved

    def handshake(self):
        done = [False, False]
        for _ in range(20):
            for i, (obj, want) in enumerate(
                ((self.ours, sectrans.SSLWantReadError), (self.theirs, ssl.SSLWantReadError))
            ):
                if not done[i]:
                    try:
                        obj.do_handshake()
                        done[i] = True
                    except want:
                        pass
            if not self.pump() and all(done):
                return
        raise AssertionError("handshake did not finish: %r" % (done,))


def make_pair(leaf, ours_side, version=None):
    ours_in, ours_out = sectrans.MemoryBIO(), sectrans.MemoryBIO()
    theirs_in, theirs_out = ssl.MemoryBIO(), ssl.MemoryBIO()
    if ours_side == "client":
        ours = ps.sectrans_client(leaf).wrap_bio(ours_in, ours_out, server_hostname="localhost")
        theirs = ps.ssl_server(leaf, version).wrap_bio(theirs_in, theirs_out, server_side=True)
    else:
        ours = ps.sectrans_server(leaf).wrap_bio(ours_in, ours_out, server_side=True)
        theirs = ps.ssl_client(leaf, version).wrap_bio(
            theirs_in, theirs_out, server_hostname="localhost"
        )
    return Pair(ours, theirs, (ours_in, ours_out), (theirs_in, theirs_out))


def test_memory_bio():
    bio = sectrans.MemoryBIO()
    assert bio.write(b"abc") == 3 and bio.write(memoryview(b"de")) == 2
    assert bio.pending == 5 and not bio.eof
    assert bio.read(2) == b"ab" and bio.read() == b"cde" and bio.read() == b""
    bio.write_eof()
    assert bio.eof
    with pytest.raises(ValueError):
        bio.write(b"late")


@pytest.mark.parametrize("version", ["tls12", "tls13"])
@pytest.mark.parametrize("side", ["client", "server"])
def test_exchange_with_ssl_object(leaf_ecdsa_p256, side, version):
    pair = make_pair(leaf_ecdsa_p256, side, version)
    ours = pair.ours
    with pytest.raises(ValueError):
        ours.getpeercert()  # handshake not done yet
    assert ours.version() is None
    pair.handshake()
    assert ours.version() == pair.theirs.version()
    assert ours.cipher()[0] == pair.theirs.cipher()[0]
    assert ours.server_side == (side == "server")
    if side == "client":
        assert ours.getpeercert(binary_form=True) == leaf_ecdsa_p256.leaf_der
        assert ours.server_hostname == "localhost"

    # Nothing has arrived: want-read, and nothing written.
    with pytest.raises(sectrans.SSLWantReadError):
        ours.read(10)
    # write() encrypts everything at once into outgoing; never want-write.
    payload = os.urandom(1 << 20)
    assert ours.write(payload) == len(payload)
    assert pair.ours_out.pending > len(payload)
    pair.pump()
    got = bytearray()
    while len(got) < len(payload):
        got += pair.theirs.read(1 << 16)
    assert got == payload

    pair.theirs.write(b"reply from ssl")
    pair.pump()
    assert ours.read(5) == b"reply"
    assert ours.pending() == 9
    buf = bytearray(20)
    assert ours.read(20, buf) == 9 and buf[:9] == b" from ssl"

    # close_notify both ways: our unwrap wants the peer's before it returns.
    with pytest.raises(sectrans.SSLWantReadError):
        ours.unwrap()
    pair.pump()
    assert pair.theirs.read(10) == b""  # ssl: close_notify reads as the end
    pair.theirs.unwrap()
    pair.pump()
    ours.unwrap()
    assert not pair.pump()


def test_peer_close_notify_reads_as_end(leaf_ecdsa_p256):
    pair = make_pair(leaf_ecdsa_p256, "client")
    pair.handshake()
    pair.theirs.write(b"bye")
    try:
        pair.theirs.unwrap()
    except ssl.SSLWantReadError:
        pass
    pair.pump()
    assert pair.ours.read(10) == b"bye"
    assert pair.ours.read(10) == b""
    assert pair.ours_out.pending  # our answering close_notify is in outgoing


def test_truncated_stream_raises_eof_error(leaf_ecdsa_p256):
    pair = make_pair(leaf_ecdsa_p256, "client")
    pair.handshake()
    pair.ours_in.write_eof()
    with pytest.raises(sectrans.SSLEOFError) as info:
        pair.ours.read(10)
    assert info.value.status < 0


def test_verification_failure_in_memory(pki):
    pair = make_pair(pki.leaves["wrong_name"], "client")
    with pytest.raises(sectrans.SSLCertVerificationError) as info:
        pair.handshake()
    assert info.value.status == -9843
    assert pair.ours_out.pending  # the alert is queued for the peer
    pair.pump()
    with pytest.raises(ssl.SSLError):
        pair.theirs.do_handshake()


def test_no_public_constructor_and_bad_bios():
    with pytest.raises(TypeError):
        sectrans.SSLObject()
    ctx = sectrans.create_default_context()
    with pytest.raises(TypeError):
        ctx.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname="localhost")
