package sectrans

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"testing"
)

// clientError runs a handshake and returns the client's error as an *Error.
func clientError(t *testing.T, clientConfig, serverConfig *Config) *Error {
	t.Helper()
	_, _, err, _ := handshakePair(t, clientConfig, serverConfig)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("handshake error %v (%T) is not an *Error", err, err)
	}
	return e
}

func TestVerificationFailuresCarryStatusAndReason(t *testing.T) {
	p := getPKI(t)
	cases := []struct {
		name   string
		server tls.Certificate
		host   string
		status int32
	}{
		{"unknown issuer", p.untrusted, "localhost", StatusNoRootCert},
		{"expired", p.expired, "localhost", StatusCertExpired},
		{"name mismatch", p.other, "localhost", StatusHostNameMismatch},
		{"ip mismatch", p.server, "127.0.0.2", StatusHostNameMismatch},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			client := p.clientConfig()
			client.ServerName = tc.host
			e := clientError(t, client, &Config{Certificates: []tls.Certificate{tc.server}})
			if e.Status != tc.status || !e.IsCertificateError() || e.Reason == "" {
				t.Fatalf("got %v (status %d), want status %d", e, e.Status, tc.status)
			}
		})
	}
}

func TestClientNeedsServerNameOrInsecureSkipVerify(t *testing.T) {
	p := getPKI(t)
	e := clientError(t, &Config{RootCAs: p.pool()}, p.serverConfig())
	if e.Status != StatusBadConfiguration {
		t.Fatalf("got %v", e)
	}
	client, _ := mustHandshake(t, &Config{InsecureSkipVerify: true}, &Config{Certificates: []tls.Certificate{p.untrusted}})
	if state := client.ConnectionState(); len(state.PeerCertificates) != 1 || state.VerifiedChains != nil {
		t.Fatalf("insecure state %+v", state)
	}
}

func TestVerifyPeerCertificateSeesChainsAndCanReject(t *testing.T) {
	p := getPKI(t)
	var gotRaw [][]byte
	var gotChains [][]*x509.Certificate
	client := p.clientConfig()
	client.VerifyPeerCertificate = func(raw [][]byte, chains [][]*x509.Certificate) error {
		gotRaw, gotChains = raw, chains
		return nil
	}
	conn, _ := mustHandshake(t, client, p.serverConfig())
	if len(gotRaw) != 1 || len(gotChains) != 1 || !gotChains[0][1].Equal(p.caCert) {
		t.Fatalf("callback saw %d certificates, chains %v", len(gotRaw), gotChains)
	}
	// ConnectionState reports the chains the callback saw.
	if chains := conn.ConnectionState().VerifiedChains; len(chains) != 1 ||
		len(chains[0]) != len(gotChains[0]) || !chains[0][1].Equal(p.caCert) {
		t.Fatalf("ConnectionState chains %v, callback saw %v", chains, gotChains)
	}

	refusal := errors.New("pinned key mismatch")
	client = p.clientConfig()
	client.VerifyPeerCertificate = func([][]byte, [][]*x509.Certificate) error { return refusal }
	_, _, clientErr, serverErr := handshakePair(t, client, p.serverConfig())
	if !errors.Is(clientErr, refusal) || serverErr == nil {
		t.Fatalf("client %v, server %v", clientErr, serverErr)
	}

	// A library failure comes first: the callback never runs.
	client = p.clientConfig()
	called := false
	client.VerifyPeerCertificate = func([][]byte, [][]*x509.Certificate) error { called = true; return nil }
	e := clientError(t, client, &Config{Certificates: []tls.Certificate{p.expired}})
	if called || e.Status != StatusCertExpired {
		t.Fatalf("called %v, error %v", called, e)
	}
}

func TestBadConfigurationIsAnError(t *testing.T) {
	p := getPKI(t)
	client := p.clientConfig()
	client.NextProtos = []string{""}
	if _, _, err, _ := handshakePair(t, client, p.serverConfig()); err == nil {
		t.Fatal("empty ALPN protocol accepted")
	}
	client = p.clientConfig()
	client.MinVersion = 0x0305
	if _, _, err, _ := handshakePair(t, client, p.serverConfig()); err == nil {
		t.Fatal("unknown TLS version accepted")
	}
	if _, _, _, err := handshakePair(t, p.clientConfig(), &Config{}); err == nil {
		t.Fatal("server without a certificate handshook")
	}
	if _, err := Client(nil, nil).Write([]byte("x")); err == nil {
		t.Fatal("nil Config accepted")
	}
	if _, err := Listen("tcp", "127.0.0.1:0", &Config{}); err == nil {
		t.Fatal("Listen without a certificate succeeded")
	}
}

// TestGarbageAndHangupsGiveErrors: a peer that sends non-TLS bytes, or
// hangs up mid-handshake or mid-stream, gives an error, never a hang.
func TestGarbageAndHangupsGiveErrors(t *testing.T) {
	p := getPKI(t)
	rawClient, rawServer := tcpPair(t)
	go rawClient.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	var e *Error
	if err := Server(rawServer, p.serverConfig()).Handshake(); !errors.As(err, &e) {
		t.Fatalf("plain HTTP to a TLS server: %v", err)
	}

	rawClient, rawServer = tcpPair(t)
	go func() {
		rawServer.Read(make([]byte, 1024)) // the ClientHello, then hang up
		rawServer.Close()
	}()
	if err := Client(rawClient, p.clientConfig()).Handshake(); err == nil {
		t.Fatal("handshake succeeded against a peer that hung up")
	}

	client, server := mustHandshake(t, p.clientConfig(), p.serverConfig())
	server.NetConn().Close() // no close_notify: a truncation
	if _, err := client.Read(make([]byte, 1)); err == nil || err == io.EOF {
		t.Fatalf("read after a hang-up without close_notify: %v", err)
	}
}
