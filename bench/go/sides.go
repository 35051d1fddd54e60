package main

import (
	"crypto/tls"
	"crypto/x509"
	"net"

	"sectrans"
)

// conn is what both implementations' connections offer.
type conn interface {
	net.Conn
	Handshake() error
	ConnectionState() tls.ConnectionState
}

// implementation makes client and server connections of one TLS stack,
// with configs built once (as a real program would).
type implementation struct {
	name   string
	client func(net.Conn) conn
	server func(net.Conn) conn
}

// sectransImpl: verification of chain and host name, TLS 1.3, default
// groups (X25519 first).
func sectransImpl(p *benchPKI) implementation {
	pool := sectrans.NewCertPool()
	pool.AddCert(p.root)
	client := &sectrans.Config{RootCAs: pool, ServerName: "localhost", MinVersion: tls.VersionTLS13}
	server := &sectrans.Config{Certificates: []tls.Certificate{p.leaf}, MinVersion: tls.VersionTLS13}
	return implementation{"sectrans",
		func(c net.Conn) conn { return sectrans.Client(c, client) },
		func(c net.Conn) conn { return sectrans.Server(c, server) }}
}

// goImpl: crypto/tls doing the same work, X25519 pinned (Go's default
// hybrid post-quantum group is not in this BoringSSL), AES-128-GCM first.
func goImpl(p *benchPKI) implementation {
	pool := x509.NewCertPool()
	pool.AddCert(p.root)
	curves := []tls.CurveID{tls.X25519}
	client := &tls.Config{RootCAs: pool, ServerName: "localhost", MinVersion: tls.VersionTLS13,
		CurvePreferences: curves, ClientSessionCache: nil}
	server := &tls.Config{Certificates: []tls.Certificate{p.leaf}, MinVersion: tls.VersionTLS13,
		CurvePreferences: curves, SessionTicketsDisabled: false}
	return implementation{"crypto/tls",
		func(c net.Conn) conn { return tls.Client(c, client) },
		func(c net.Conn) conn { return tls.Server(c, server) }}
}
