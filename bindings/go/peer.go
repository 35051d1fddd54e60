package sectrans

/*
#include <sectrans/sectrans.h>
*/
import "C"

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"unsafe"
)

// copyOut reads a variable-length value in the library's (buf, *len)
// protocol: asks for the size, then copies. nil when empty or on error.
func copyOut(get func(buf unsafe.Pointer, n *C.size_t) C.sectrans_status) []byte {
	var n C.size_t
	status := get(nil, &n)
	if (status != 0 && status != C.SECTRANS_ERR_BUFFER_OVERFLOW) || n == 0 {
		return nil
	}
	buf := make([]byte, n)
	if get(unsafe.Pointer(&buf[0]), &n) != 0 {
		return nil
	}
	return buf[:n]
}

// configureClient sets what belongs to one client connection: the peer
// name and the resumption key.
func (c *Conn) configureClient() error {
	name := c.serverName
	if name == "" && !c.config.InsecureSkipVerify {
		return &Error{Op: "config", Status: StatusBadConfiguration,
			Reason: "either ServerName or InsecureSkipVerify must be set in the Config"}
	}
	if name != "" {
		cname := []byte(name)
		status := C.sectrans_set_peer_domain_name(c.s.ctx, (*C.char)(unsafe.Pointer(&cname[0])), C.size_t(len(cname)))
		if status != 0 {
			return statusError("ServerName", status, c.s.ctx)
		}
	}
	if c.config.ClientSessionCache == nil {
		return nil
	}
	id := c.config.ClientSessionCache.peerID(name, c.conn.RemoteAddr())
	return check("ClientSessionCache", C.sectrans_set_peer_id(c.s.ctx, unsafe.Pointer(&id[0]), C.size_t(len(id))))
}

// peerChain returns the peer's certificates (DER, leaf first) and, when
// evaluate is set, verifies them: result 0 means trusted, else the status
// with its detail text. Must hold s.mu.
func (c *Conn) peerChainLocked(evaluate bool) (raw [][]byte, result C.sectrans_status, detail string) {
	var trust *C.sectrans_trust
	if C.sectrans_copy_peer_trust(c.s.ctx, &trust) != 0 || trust == nil {
		return nil, 0, ""
	}
	defer C.sectrans_trust_release(trust)
	var count C.size_t
	C.sectrans_trust_get_certificate_count(trust, &count)
	for i := C.size_t(0); i < count; i++ {
		var cert *C.sectrans_certificate
		if C.sectrans_trust_copy_certificate(trust, i, &cert) != 0 {
			continue
		}
		raw = append(raw, copyOut(func(buf unsafe.Pointer, n *C.size_t) C.sectrans_status {
			return C.sectrans_certificate_copy_der(cert, buf, n)
		}))
		C.sectrans_certificate_release(cert)
	}
	if evaluate {
		C.sectrans_trust_evaluate(trust, &result)
		detail = string(copyOut(func(buf unsafe.Pointer, n *C.size_t) C.sectrans_status {
			return C.sectrans_trust_copy_detail(trust, buf, n)
		}))
	}
	return raw, result, detail
}

// parseChain parses DER certificates with crypto/x509, dropping any that
// do not parse (the library already accepted them).
func parseChain(raw [][]byte) []*x509.Certificate {
	var certs []*x509.Certificate
	for _, der := range raw {
		if cert, err := x509.ParseCertificate(der); err == nil {
			certs = append(certs, cert)
		}
	}
	return certs
}

// verifiedChains rebuilds the chains the library verified, with
// crypto/x509 over the same anchors, for tls.ConnectionState and
// VerifyPeerCertificate. nil when verification is off or fails.
func (c *Conn) verifiedChains(certs []*x509.Certificate, serverName string) [][]*x509.Certificate {
	if len(certs) == 0 || !c.config.verifiesPeer(c.isClient) {
		return nil
	}
	pool, usage := c.config.RootCAs, x509.ExtKeyUsageServerAuth
	if !c.isClient {
		pool, usage, serverName = c.config.ClientCAs, x509.ExtKeyUsageClientAuth, ""
	}
	roots, err := pool.x509Pool()
	if err != nil {
		return nil
	}
	opts := x509.VerifyOptions{Roots: roots, Intermediates: x509.NewCertPool(),
		DNSName: serverName, KeyUsages: []x509.ExtKeyUsage{usage}}
	for _, cert := range certs[1:] {
		opts.Intermediates.AddCert(cert)
	}
	chains, err := certs[0].Verify(opts)
	if err != nil {
		return nil
	}
	return chains
}

// verifyPeer runs at the break point after the peer's certificate arrived:
// the library's own verification (unless it is off), then the Config's
// VerifyPeerCertificate. A rejection ends the handshake with an alert.
func (c *Conn) verifyPeer() error {
	evaluate := c.config.verifiesPeer(c.isClient)
	c.s.mu.Lock()
	if c.s.ctx == nil {
		c.s.mu.Unlock()
		return errors.New("sectrans: connection closed during the handshake")
	}
	raw, result, detail := c.peerChainLocked(evaluate)
	c.s.mu.Unlock()
	if result != 0 {
		c.rejectPeer()
		return &Error{Op: "handshake", Status: int32(result), Reason: detail}
	}
	chains := c.verifiedChains(parseChain(raw), c.serverName)
	c.state.mu.Lock()
	c.state.chains = chains
	c.state.mu.Unlock()
	if err := c.config.VerifyPeerCertificate(raw, chains); err != nil {
		c.rejectPeer()
		return err
	}
	if evaluate {
		return nil // the successful evaluation lets the handshake go on
	}
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if c.s.ctx == nil {
		return errors.New("sectrans: connection closed during the handshake")
	}
	return check("accept peer trust", C.sectrans_accept_peer_trust(c.s.ctx))
}

// rejectPeer ends the handshake after VerifyPeerCertificate refused the
// peer: the peer trust is evaluated again against no anchors, so it fails,
// and the library's rule (go on after the break only with a trust that
// evaluated successfully) makes the next handshake step send a
// certificate_unknown alert, which is flushed.
func (c *Conn) rejectPeer() {
	c.s.mu.Lock()
	var trust *C.sectrans_trust
	if c.s.ctx != nil && C.sectrans_copy_peer_trust(c.s.ctx, &trust) == 0 && trust != nil {
		var empty *C.sectrans_trust_store
		if C.sectrans_trust_store_create(&empty) == 0 {
			var result C.sectrans_status
			C.sectrans_trust_set_anchors(trust, empty)
			C.sectrans_trust_evaluate(trust, &result)
			C.sectrans_trust_store_release(empty)
		}
		C.sectrans_trust_release(trust)
	}
	c.s.mu.Unlock()
	c.finishFailedHandshake()
}

// finishFailedHandshake makes the one handshake step that sends the
// library's fatal alert, and flushes it.
func (c *Conn) finishFailedHandshake() {
	c.run(step{op: opHandshake, outCap: 1024}, "handshake")
	_ = c.flush(true)
}

// selectCertificate runs GetCertificate at the break point after the
// ClientHello and installs the identity it chose.
func (c *Conn) selectCertificate() error {
	c.s.mu.Lock()
	name := ""
	if c.s.ctx != nil {
		name = string(copyOut(func(buf unsafe.Pointer, n *C.size_t) C.sectrans_status {
			return C.sectrans_get_requested_peer_name(c.s.ctx, buf, n)
		}))
	}
	c.s.mu.Unlock()
	cert, err := c.config.GetCertificate(&tls.ClientHelloInfo{ServerName: name, Conn: c.conn})
	if err == nil && cert == nil && len(c.config.Certificates) == 0 {
		err = errors.New("sectrans: no certificate available for " + name)
	}
	if err != nil {
		c.abortHandshake()
		return err
	}
	if cert == nil {
		return nil // the Config's identity
	}
	id, err := c.config.identityOf(cert)
	if err != nil {
		c.abortHandshake()
		return err
	}
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if c.s.ctx == nil {
		return errors.New("sectrans: connection closed during the handshake")
	}
	return check("identity", C.sectrans_set_identity(c.s.ctx, id.ptr))
}

// abortHandshake ends the session from outside (Secure Transport's
// SSLSetError); the library stops the handshake.
func (c *Conn) abortHandshake() {
	c.s.mu.Lock()
	if c.s.ctx != nil {
		C.sectrans_set_error(c.s.ctx, C.SECTRANS_ERR_HANDSHAKE_FAIL)
	}
	c.s.mu.Unlock()
	c.finishFailedHandshake()
}
