package testpki

import (
	"crypto/x509"
	"net"
	"testing"
	"time"
)

// The certificates verify as the consumers use them: a leaf under its CA,
// a self-signed certificate as its own anchor, for the names asked.
func TestCertificatesVerify(t *testing.T) {
	ca, err := NewCA("testpki CA")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue(Leaf{DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}})
	if err != nil {
		t.Fatal(err)
	}
	self, selfParsed, err := SelfSigned(Leaf{DNSNames: []string{"localhost"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what   string
		der    []byte
		anchor *x509.Certificate
		name   string
	}{
		{"leaf by DNS name", leaf.Certificate[0], ca.Cert, "localhost"},
		{"leaf by IP address", leaf.Certificate[0], ca.Cert, "127.0.0.1"},
		{"self-signed", self.Certificate[0], selfParsed, "localhost"},
	} {
		cert, err := x509.ParseCertificate(c.der)
		if err != nil {
			t.Fatal(err)
		}
		roots := x509.NewCertPool()
		roots.AddCert(c.anchor)
		if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, DNSName: c.name}); err != nil {
			t.Errorf("%s: %v", c.what, err)
		}
		if cert.Subject.CommonName != "localhost" {
			t.Errorf("%s: CommonName %q, want the first DNS name", c.what, cert.Subject.CommonName)
		}
	}
}

// Leaf's fields override the defaults.
func TestLeafOverrides(t *testing.T) {
	ca, err := NewCA("testpki CA")
	if err != nil {
		t.Fatal(err)
	}
	notAfter := time.Now().Add(-time.Hour).Truncate(time.Second)
	leaf, err := ca.Issue(Leaf{CommonName: "named", DNSNames: []string{"client.example"}, NotAfter: notAfter,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(leaf.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if cert.Subject.CommonName != "named" || !cert.NotAfter.Equal(notAfter) ||
		len(cert.ExtKeyUsage) != 1 || cert.ExtKeyUsage[0] != x509.ExtKeyUsageClientAuth {
		t.Errorf("got CN %q, NotAfter %v, ExtKeyUsage %v", cert.Subject.CommonName, cert.NotAfter, cert.ExtKeyUsage)
	}
}
