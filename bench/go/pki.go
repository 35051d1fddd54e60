package main

import (
	"crypto/tls"
	"crypto/x509"
	"net"

	"sectrans/testpki"
)

// benchPKI is a test root and an ECDSA P-256 leaf for localhost and
// 127.0.0.1 that it signed.
type benchPKI struct {
	root *x509.Certificate
	leaf tls.Certificate
}

func newPKI() (*benchPKI, error) {
	root, err := testpki.NewCA("bench root")
	if err != nil {
		return nil, err
	}
	leaf, err := root.Issue(testpki.Leaf{DNSNames: []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}})
	if err != nil {
		return nil, err
	}
	return &benchPKI{root: root.Cert, leaf: leaf}, nil
}
