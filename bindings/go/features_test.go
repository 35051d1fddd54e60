package sectrans

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestALPN(t *testing.T) {
	p := getPKI(t)
	client := p.clientConfig()
	client.NextProtos = []string{"h2", "http/1.1"}
	server := p.serverConfig()
	server.NextProtos = []string{"http/1.1"}
	c, s := mustHandshake(t, client, server)
	if got := c.ConnectionState().NegotiatedProtocol; got != "http/1.1" {
		t.Fatalf("client ALPN %q", got)
	}
	if got := s.ConnectionState().NegotiatedProtocol; got != "http/1.1" {
		t.Fatalf("server ALPN %q", got)
	}
}

func TestClientCertificates(t *testing.T) {
	p := getPKI(t)
	server := p.serverConfig()
	server.ClientAuth = tls.RequireAndVerifyClientCert
	server.ClientCAs = p.pool()
	client := p.clientConfig()
	client.Certificates = []tls.Certificate{p.client}
	_, s := mustHandshake(t, client, server)
	state := s.ConnectionState()
	if len(state.PeerCertificates) != 1 || len(state.VerifiedChains) != 1 {
		t.Fatalf("server saw %d certificates, %d chains", len(state.PeerCertificates), len(state.VerifiedChains))
	}

	// No certificate: the server refuses.
	c, s, _, serverErr := handshakePair(t, p.clientConfig(), server)
	if serverErr == nil {
		t.Fatal("server accepted a client without a certificate")
	}
	if _, err := c.Read(make([]byte, 1)); err == nil { // TLS 1.3: the alert comes after
		t.Fatal("client read after a refused handshake")
	}
	_ = s

	// A certificate from another CA: the server's verification fails.
	client = p.clientConfig()
	client.Certificates = []tls.Certificate{p.untrusted}
	_, _, _, serverErr = handshakePair(t, client, server)
	var e *Error
	if !errors.As(serverErr, &e) || !e.IsCertificateError() {
		t.Fatalf("server error %v", serverErr)
	}
}

func TestGetCertificateChoosesBySNI(t *testing.T) {
	p := getPKI(t)
	var asked []string
	server := &Config{GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		asked = append(asked, hello.ServerName)
		if hello.ServerName == "other.example" {
			return &p.other, nil
		}
		return &p.server, nil
	}}
	for _, name := range []string{"other.example", "localhost"} {
		client := p.clientConfig()
		client.ServerName = name
		c, _ := mustHandshake(t, client, server)
		if err := c.VerifyHostname(name); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if strings.Join(asked, ",") != "other.example,localhost" {
		t.Fatalf("GetCertificate saw %v", asked)
	}
	server.GetCertificate = func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return nil, errors.New("no such host") }
	if _, _, clientErr, serverErr := handshakePair(t, p.clientConfig(), server); clientErr == nil || serverErr == nil {
		t.Fatalf("client %v, server %v", clientErr, serverErr)
	}
}

// exchange makes the client read one byte the server wrote, so that a TLS
// 1.3 ticket sent after the handshake is processed.
func exchange(t *testing.T, c, s *Conn) {
	t.Helper()
	go s.Write([]byte("!"))
	if _, err := io.ReadFull(c, make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
}

func TestResumptionWithClientSessionCache(t *testing.T) {
	p := getPKI(t)
	for _, version := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		client := p.clientConfig()
		client.MaxVersion = version
		client.ClientSessionCache = NewLRUClientSessionCache(0)
		server := p.serverConfig()
		c, s := mustHandshake(t, client, server)
		exchange(t, c, s)
		if c.ConnectionState().DidResume {
			t.Fatal("first connection resumed")
		}
		c, s = mustHandshake(t, client, server)
		exchange(t, c, s)
		if !c.ConnectionState().DidResume || !s.ConnectionState().DidResume {
			t.Fatalf("version %x: second connection did not resume", version)
		}
		other := p.clientConfig()
		other.MaxVersion = version
		other.ClientSessionCache = NewLRUClientSessionCache(0)
		if c, _ = mustHandshake(t, other, server); c.ConnectionState().DidResume {
			t.Fatal("another cache resumed the session")
		}
	}
}

func TestVersionsAndCipherSuites(t *testing.T) {
	p := getPKI(t)
	client := p.clientConfig()
	client.MaxVersion = tls.VersionTLS12
	client.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305}
	c, _ := mustHandshake(t, client, p.serverConfig())
	if state := c.ConnectionState(); state.Version != tls.VersionTLS12 ||
		state.CipherSuite != tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305 {
		t.Fatalf("state %+v", state)
	}
	server := p.serverConfig()
	server.MinVersion = tls.VersionTLS13
	if _, _, clientErr, _ := handshakePair(t, client, server); clientErr == nil {
		t.Fatal("TLS 1.2 client met a TLS 1.3-only server")
	}
}

func TestKeyLogWriter(t *testing.T) {
	p := getPKI(t)
	var log bytes.Buffer
	client := p.clientConfig()
	client.KeyLogWriter = &log
	mustHandshake(t, client, p.serverConfig())
	if !strings.Contains(log.String(), "CLIENT_HANDSHAKE_TRAFFIC_SECRET ") || !strings.HasSuffix(log.String(), "\n") {
		t.Fatalf("key log %q", log.String())
	}
}

// RequireAnyClientCert asks for a certificate but does not verify it, as
// in crypto/tls: one from an unknown CA is accepted, with no chains.
func TestRequireAnyClientCertDoesNotVerify(t *testing.T) {
	p := getPKI(t)
	server := p.serverConfig()
	server.ClientAuth = tls.RequireAnyClientCert
	client := p.clientConfig()
	client.Certificates = []tls.Certificate{p.untrusted}
	_, s := mustHandshake(t, client, server)
	state := s.ConnectionState()
	if len(state.PeerCertificates) != 1 || state.VerifiedChains != nil {
		t.Fatalf("server saw %d certificates, chains %v", len(state.PeerCertificates), state.VerifiedChains)
	}
	if _, _, _, err := handshakePair(t, p.clientConfig(), server); err == nil {
		t.Fatal("RequireAnyClientCert accepted a client without a certificate")
	}
}
