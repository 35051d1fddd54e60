package sectrans

/*
#include <sectrans/sectrans.h>
*/
import "C"

import (
	"crypto/tls"
	"crypto/x509"
	"sync"
	"unsafe"
)

// connState caches the ConnectionState of a completed handshake (it does
// not change afterwards, and VerifiedChains costs a verification).
type connState struct {
	mu    sync.Mutex
	state *tls.ConnectionState
	// chains VerifyPeerCertificate was given during the handshake, so
	// that ConnectionState need not verify again.
	chains [][]*x509.Certificate
}

// versionOf maps the library's SSLProtocol value to crypto/tls's.
func versionOf(protocol C.int) uint16 {
	switch protocol {
	case C.SECTRANS_PROTOCOL_TLS12:
		return tls.VersionTLS12
	case C.SECTRANS_PROTOCOL_TLS13:
		return tls.VersionTLS13
	}
	return 0
}

// ConnectionState returns what the handshake negotiated, with crypto/tls
// types and values. VerifiedChains are rebuilt with crypto/x509 over the
// same anchors the library verified against (nil when verification is off).
func (c *Conn) ConnectionState() tls.ConnectionState {
	if !c.handshakeDone.Load() || c.handshakeErr != nil {
		c.s.mu.Lock()
		defer c.s.mu.Unlock()
		return c.stateLocked()
	}
	c.state.mu.Lock()
	defer c.state.mu.Unlock()
	if c.state.state == nil {
		c.s.mu.Lock()
		state := c.stateLocked()
		c.s.mu.Unlock()
		state.VerifiedChains = c.state.chains
		if state.VerifiedChains == nil {
			state.VerifiedChains = c.verifiedChains(state.PeerCertificates, c.serverName)
		}
		c.state.state = &state
	}
	return *c.state.state
}

// stateLocked reads the negotiated values (s.mu held).
func (c *Conn) stateLocked() tls.ConnectionState {
	var state tls.ConnectionState
	c.setEKM(&state)
	ctx := c.s.ctx
	if ctx == nil {
		return state
	}
	var protocol C.int
	var suite, group C.uint16_t
	var resumed, sessionState C.int
	C.sectrans_get_negotiated_protocol_version(ctx, &protocol)
	C.sectrans_get_negotiated_cipher(ctx, &suite)
	C.sectrans_get_negotiated_group(ctx, &group)
	C.sectrans_get_session_resumed(ctx, &resumed)
	C.sectrans_get_session_state(ctx, &sessionState)
	state.Version = versionOf(protocol)
	state.CipherSuite = uint16(suite)
	setCurveID(&state, tls.CurveID(group))
	state.DidResume = resumed != 0
	state.HandshakeComplete = c.handshakeDone.Load() && c.handshakeErr == nil
	state.NegotiatedProtocol = string(copyOut(func(buf unsafe.Pointer, n *C.size_t) C.sectrans_status {
		return C.sectrans_get_negotiated_alpn(ctx, buf, n)
	}))
	state.NegotiatedProtocolIsMutual = true
	if c.isClient {
		state.ServerName = c.serverName
	} else {
		state.ServerName = string(copyOut(func(buf unsafe.Pointer, n *C.size_t) C.sectrans_status {
			return C.sectrans_get_requested_peer_name(ctx, buf, n)
		}))
	}
	raw, _, _ := c.peerChainLocked(false)
	state.PeerCertificates = parseChain(raw)
	return state
}

// VerifyHostname checks that the peer certificate chain is valid for host,
// like (*tls.Conn).VerifyHostname.
func (c *Conn) VerifyHostname(host string) error {
	state := c.ConnectionState()
	if !state.HandshakeComplete {
		return &Error{Op: "VerifyHostname", Status: int32(C.SECTRANS_ERR_BAD_REQ), Reason: "handshake has not completed"}
	}
	if len(state.PeerCertificates) == 0 {
		return &Error{Op: "VerifyHostname", Status: StatusBadCert, Reason: "no peer certificate"}
	}
	return state.PeerCertificates[0].VerifyHostname(host)
}

// CurveID returns the key exchange group the handshake negotiated (0 before
// the key exchange) as a crypto/tls value. It is what
// ConnectionState().CurveID holds, for Go versions whose
// tls.ConnectionState has no CurveID field (before 1.25).
func (c *Conn) CurveID() tls.CurveID {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	var group C.uint16_t
	if c.s.ctx == nil || C.sectrans_get_negotiated_group(c.s.ctx, &group) != 0 {
		return 0
	}
	return tls.CurveID(group)
}
