package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"testing"
	"time"

	"golang.org/x/net/nettest"
	"sectrans"
)

// selfSigned returns a certificate for localhost and a pool trusting it.
func selfSigned(t *testing.T) (tls.Certificate, *sectrans.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"localhost"}, BasicConstraintsValid: true, IsCA: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := sectrans.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// exchangeByte writes one byte on from and reads it on to.
func exchangeByte(from, to net.Conn) error {
	if _, err := from.Write([]byte{1}); err != nil {
		return err
	}
	_, err := to.Read(make([]byte, 1))
	return err
}

// TestConnConformance runs x/net/nettest's net.Conn checks on a sectrans
// pair. PastTimeout, FutureTimeout and ConcurrentMethods expect writes to
// work again after a write timed out, which a TLS record stream cannot
// promise (crypto/tls fails them the same way, golang/go#46977): the
// pytest driver runs the other sub-tests by name.
func TestConnConformance(t *testing.T) {
	cert, pool := selfSigned(t)
	nettest.TestConn(t, func() (c1, c2 net.Conn, stop func(), err error) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, nil, nil, err
		}
		defer l.Close()
		accepted := make(chan net.Conn, 1)
		go func() {
			c, _ := l.Accept()
			accepted <- c
		}()
		raw, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			return nil, nil, nil, err
		}
		rawServer := <-accepted
		client := sectrans.Client(raw, &sectrans.Config{RootCAs: pool, ServerName: "localhost"})
		server := sectrans.Server(rawServer, &sectrans.Config{Certificates: []tls.Certificate{cert}})
		done := make(chan error, 1)
		go func() { done <- server.Handshake() }()
		if err := client.Handshake(); err != nil {
			return nil, nil, nil, err
		}
		if err := <-done; err != nil {
			return nil, nil, nil, err
		}
		// One byte each way, so the client takes in the TLS 1.3 tickets the
		// server sent: unread data on a closed socket makes the kernel
		// reset the connection, and the peer would lose what it had not
		// read yet.
		if err := exchangeByte(server, client); err != nil {
			return nil, nil, nil, err
		}
		if err := exchangeByte(client, server); err != nil {
			return nil, nil, nil, err
		}
		return client, server, func() { client.Close(); server.Close() }, nil
	})
}
