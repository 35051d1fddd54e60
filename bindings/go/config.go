package sectrans

/*
#include <sectrans/sectrans.h>
*/
import "C"

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"runtime"
	"sync"
	"unsafe"
)

// Config is the twin of tls.Config: the same field names and crypto/tls
// types. As with tls.Config, do not change a Config once it was passed to
// Client, Server, Dial or Listen: the library config is built from it once
// per side and shared by every connection. Use Clone for a changed copy.
type Config struct {
	// Certificates: the identity to present. Only the first one is used
	// (a server that chooses by name sets GetCertificate).
	Certificates []tls.Certificate
	// GetCertificate (server) chooses the identity once the ClientHello
	// arrived; ServerName and Conn are set in its argument. A nil
	// certificate with a nil error falls back to Certificates[0].
	GetCertificate func(*tls.ClientHelloInfo) (*tls.Certificate, error)
	// RootCAs (client): anchors for the server's chain; nil means the
	// system anchors.
	RootCAs *CertPool
	// ClientCAs (server): anchors for client certificates; nil means the
	// system anchors.
	ClientCAs *CertPool
	// ServerName (client): sent as SNI and checked against the server's
	// certificate. Dial fills it from the address when empty.
	ServerName string
	// InsecureSkipVerify (client) turns verification off entirely.
	InsecureSkipVerify bool
	// NextProtos: ALPN protocols in preference order.
	NextProtos []string
	// MinVersion and MaxVersion: tls.VersionTLS12 or tls.VersionTLS13.
	// Zero means TLS 1.2 and TLS 1.3; anything below TLS 1.2 means 1.2.
	MinVersion uint16
	MaxVersion uint16
	// CipherSuites restricts TLS 1.2 suites (crypto/tls constants); TLS 1.3
	// suites are always on, as in crypto/tls.
	CipherSuites []uint16
	// ClientAuth (server): whether to ask for and verify a client
	// certificate.
	ClientAuth tls.ClientAuthType
	// VerifyPeerCertificate runs during the handshake after the normal
	// verification (or instead of it with InsecureSkipVerify or a
	// ClientAuth that does not verify); an error aborts the handshake with
	// a bad_certificate alert.
	VerifyPeerCertificate func(rawCerts [][]byte, verifiedChains [][]*x509.Certificate) error
	// ClientSessionCache (client) turns resumption on; see SessionCache.
	ClientSessionCache *SessionCache
	// KeyLogWriter receives the session secrets in the NSS key log format.
	// Whoever reads them can decrypt the traffic.
	KeyLogWriter io.Writer

	mu         sync.Mutex
	native     [2]*nativeConfig // by C side: 0 server, 1 client
	identities sync.Map         // *tls.Certificate -> *identity, for GetCertificate
}

// Clone returns a copy of c with the same settings (and none of its built
// state), like (*tls.Config).Clone. A nil c gives nil.
func (c *Config) Clone() *Config {
	if c == nil {
		return nil
	}
	return &Config{
		Certificates:          c.Certificates,
		GetCertificate:        c.GetCertificate,
		RootCAs:               c.RootCAs,
		ClientCAs:             c.ClientCAs,
		ServerName:            c.ServerName,
		InsecureSkipVerify:    c.InsecureSkipVerify,
		NextProtos:            c.NextProtos,
		MinVersion:            c.MinVersion,
		MaxVersion:            c.MaxVersion,
		CipherSuites:          c.CipherSuites,
		ClientAuth:            c.ClientAuth,
		VerifyPeerCertificate: c.VerifyPeerCertificate,
		ClientSessionCache:    c.ClientSessionCache,
		KeyLogWriter:          c.KeyLogWriter,
	}
}

// nativeConfig owns one library config and the handle its key log
// callback refers to. Connections keep it reachable while they live.
type nativeConfig struct {
	ptr    *C.sectrans_config
	keylog keyLogHandle
}

// free is the finalizer: it releases the library config and the key log
// handle once no connection uses them.
func (n *nativeConfig) free() {
	C.sectrans_config_release(n.ptr)
	n.keylog.delete()
}

// nativeFor returns the library config of one side, building it once.
func (c *Config) nativeFor(isClient bool) (*nativeConfig, error) {
	side := 0
	if isClient {
		side = 1
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if n := c.native[side]; n != nil {
		return n, nil
	}
	var ptr *C.sectrans_config
	if status := C.sectrans_config_create(C.int(side), &ptr); status != 0 {
		return nil, statusError("config", status, nil)
	}
	n := &nativeConfig{ptr: ptr}
	runtime.SetFinalizer(n, (*nativeConfig).free)
	if err := c.apply(n, isClient); err != nil {
		return nil, err
	}
	c.native[side] = n
	return n, nil
}

// apply copies every setting into the library config.
func (c *Config) apply(n *nativeConfig, isClient bool) error {
	steps := []func(*nativeConfig, bool) error{
		c.applyVersions, c.applyIdentity, c.applyTrust, c.applyALPN,
		c.applyCiphers, c.applyBreakPoints, c.applyKeyLog,
	}
	for _, step := range steps {
		if err := step(n, isClient); err != nil {
			return err
		}
	}
	return nil
}

// check turns a config setter's status into an *Error naming the field.
func check(what string, status C.sectrans_status) error {
	if status != 0 {
		return statusError("config: "+what, status, nil)
	}
	return nil
}

// protocolOf maps a crypto/tls version to the library's SSLProtocol value.
func protocolOf(v uint16) (C.int, error) {
	switch {
	case v <= tls.VersionTLS12:
		return C.SECTRANS_PROTOCOL_TLS12, nil
	case v == tls.VersionTLS13:
		return C.SECTRANS_PROTOCOL_TLS13, nil
	}
	return 0, errors.New("sectrans: unsupported TLS version")
}

// applyVersions sets MinVersion and MaxVersion.
func (c *Config) applyVersions(n *nativeConfig, _ bool) error {
	if c.MinVersion != 0 {
		p, err := protocolOf(c.MinVersion)
		if err != nil {
			return err
		}
		if err := check("MinVersion", C.sectrans_config_set_protocol_version_min(n.ptr, p)); err != nil {
			return err
		}
	}
	if c.MaxVersion != 0 {
		p, err := protocolOf(c.MaxVersion)
		if err != nil {
			return err
		}
		return check("MaxVersion", C.sectrans_config_set_protocol_version_max(n.ptr, p))
	}
	return nil
}

// applyIdentity sets Certificates[0] as the library identity.
func (c *Config) applyIdentity(n *nativeConfig, _ bool) error {
	if len(c.Certificates) == 0 {
		return nil
	}
	id, err := c.identityOf(&c.Certificates[0])
	if err != nil {
		return err
	}
	return check("Certificates", C.sectrans_config_set_identity(n.ptr, id.ptr))
}

// identityOf converts a certificate once per Config.
func (c *Config) identityOf(cert *tls.Certificate) (*identity, error) {
	if id, ok := c.identities.Load(cert); ok {
		return id.(*identity), nil
	}
	id, err := newIdentity(cert)
	if err != nil {
		return nil, err
	}
	actual, _ := c.identities.LoadOrStore(cert, id)
	return actual.(*identity), nil
}

// verifiesPeer says whether the library verifies the peer's chain.
func (c *Config) verifiesPeer(isClient bool) bool {
	if isClient {
		return !c.InsecureSkipVerify
	}
	return c.ClientAuth == tls.VerifyClientCertIfGiven || c.ClientAuth == tls.RequireAndVerifyClientCert
}

// applyTrust sets the anchors, the verify mode and (server) ClientAuth.
func (c *Config) applyTrust(n *nativeConfig, isClient bool) error {
	pool, auth := c.RootCAs, C.int(C.SECTRANS_AUTHENTICATE_NEVER)
	if !isClient {
		pool = c.ClientCAs
		switch c.ClientAuth {
		case tls.RequestClientCert, tls.VerifyClientCertIfGiven:
			auth = C.SECTRANS_AUTHENTICATE_TRY
		case tls.RequireAnyClientCert, tls.RequireAndVerifyClientCert:
			auth = C.SECTRANS_AUTHENTICATE_ALWAYS
		}
		if err := check("ClientAuth", C.sectrans_config_set_client_side_authenticate(n.ptr, auth)); err != nil {
			return err
		}
	}
	if !c.verifiesPeer(isClient) {
		return check("verify mode", C.sectrans_config_set_verify_mode(n.ptr, C.SECTRANS_VERIFY_NONE))
	}
	if pool == nil {
		return nil // the library's default: the system anchors
	}
	store, err := pool.trustStore()
	if err != nil {
		return err
	}
	return check("trust store", C.sectrans_config_set_trust_store(n.ptr, store))
}

// applyALPN encodes NextProtos as an RFC 7301 list.
func (c *Config) applyALPN(n *nativeConfig, _ bool) error {
	if len(c.NextProtos) == 0 {
		return nil
	}
	var wire []byte
	for _, p := range c.NextProtos {
		if len(p) == 0 || len(p) > 255 {
			return errors.New("sectrans: invalid NextProtos entry")
		}
		wire = append(append(wire, byte(len(p))), p...)
	}
	return check("NextProtos", C.sectrans_config_set_alpn(n.ptr, unsafe.Pointer(&wire[0]), C.size_t(len(wire))))
}

// applyCiphers sets CipherSuites (IANA numbers, as crypto/tls's constants).
func (c *Config) applyCiphers(n *nativeConfig, _ bool) error {
	if len(c.CipherSuites) == 0 {
		return nil
	}
	suites := make([]C.uint16_t, len(c.CipherSuites))
	for i, s := range c.CipherSuites {
		suites[i] = C.uint16_t(s)
	}
	return check("CipherSuites", C.sectrans_config_set_enabled_ciphers(n.ptr, &suites[0], C.size_t(len(suites))))
}

// applyBreakPoints stops the handshake where Go code must run:
// GetCertificate after the ClientHello, VerifyPeerCertificate once the
// peer's certificate arrived.
func (c *Config) applyBreakPoints(n *nativeConfig, isClient bool) error {
	if !isClient && c.GetCertificate != nil {
		if err := check("GetCertificate", C.sectrans_config_set_session_option(n.ptr, C.SECTRANS_OPTION_BREAK_ON_CLIENT_HELLO, 1)); err != nil {
			return err
		}
	}
	if c.VerifyPeerCertificate == nil {
		return nil
	}
	option := C.int(C.SECTRANS_OPTION_BREAK_ON_CLIENT_AUTH)
	if isClient {
		option = C.SECTRANS_OPTION_BREAK_ON_SERVER_AUTH
	}
	return check("VerifyPeerCertificate", C.sectrans_config_set_session_option(n.ptr, option, 1))
}
