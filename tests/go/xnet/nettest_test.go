package main

import (
	"crypto/tls"
	"net"
	"testing"

	"golang.org/x/net/nettest"
	"sectrans"
	"sectrans/testpki"
)

// selfSigned returns a certificate for localhost and a pool trusting it.
func selfSigned(t *testing.T) (tls.Certificate, *sectrans.CertPool) {
	cert, parsed, err := testpki.SelfSigned(testpki.Leaf{DNSNames: []string{"localhost"}})
	if err != nil {
		t.Fatal(err)
	}
	pool := sectrans.NewCertPool()
	pool.AddCert(parsed)
	return cert, pool
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
