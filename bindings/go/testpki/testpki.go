// Package testpki makes throwaway certificates in memory for the tests and
// benchmarks of the sectrans Go binding (its unit tests, bench/go,
// tests/go/xnet): CAs, leaves they sign and self-signed certificates, all
// with ECDSA P-256 keys. Package sectrans does not import it; it imports
// nothing of sectrans, so the binding's own tests can use it.
package testpki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"sync/atomic"
	"time"
)

// CA is a certificate authority that signs leaves.
type CA struct {
	Cert *x509.Certificate
	Key  *ecdsa.PrivateKey
}

// Leaf describes a certificate to make. The zero values of its fields
// mean: the first DNS name as CommonName, valid from an hour ago until a
// day from now, for server authentication.
type Leaf struct {
	CommonName  string
	DNSNames    []string
	IPAddresses []net.IP
	NotBefore   time.Time
	NotAfter    time.Time
	ExtKeyUsage []x509.ExtKeyUsage
}

// NewCA returns a self-signed CA named commonName, valid from an hour ago
// until a day from now.
func NewCA(commonName string) (*CA, error) {
	notBefore, notAfter := defaultValidity()
	cert, key, err := create(&x509.Certificate{
		Subject:   pkix.Name{CommonName: commonName},
		NotBefore: notBefore, NotAfter: notAfter,
		IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}, nil, nil)
	if err != nil {
		return nil, err
	}
	return &CA{Cert: cert, Key: key}, nil
}

// Issue returns a leaf with a new key, signed by ca (its chain is the leaf
// alone: the CA is the anchor).
func (ca *CA) Issue(leaf Leaf) (tls.Certificate, error) {
	tmpl := leaf.template()
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	cert, key, err := create(tmpl, ca.Cert, ca.Key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{cert.Raw}, PrivateKey: key}, nil
}

// SelfSigned returns a certificate for leaf that is its own CA, to serve
// and to trust as its own anchor, and that certificate parsed.
func SelfSigned(leaf Leaf) (tls.Certificate, *x509.Certificate, error) {
	tmpl := leaf.template()
	tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign
	cert, key, err := create(tmpl, nil, nil)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	return tls.Certificate{Certificate: [][]byte{cert.Raw}, PrivateKey: key}, cert, nil
}

func (l Leaf) template() *x509.Certificate {
	name := l.CommonName
	if name == "" && len(l.DNSNames) > 0 {
		name = l.DNSNames[0]
	}
	notBefore, notAfter := defaultValidity()
	if !l.NotBefore.IsZero() {
		notBefore = l.NotBefore
	}
	if !l.NotAfter.IsZero() {
		notAfter = l.NotAfter
	}
	usage := l.ExtKeyUsage
	if usage == nil {
		usage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	return &x509.Certificate{
		Subject:   pkix.Name{CommonName: name},
		NotBefore: notBefore, NotAfter: notAfter,
		DNSNames: l.DNSNames, IPAddresses: l.IPAddresses, ExtKeyUsage: usage,
	}
}

func defaultValidity() (notBefore, notAfter time.Time) {
	now := time.Now()
	return now.Add(-time.Hour), now.Add(24 * time.Hour)
}

// Serial numbers count from 1 in each process: unique per issuer, as
// verifiers expect, without making the certificates longer than needed.
var lastSerial atomic.Int64

// create signs tmpl for a new key with parentKey, or with the new key
// itself when parent is nil.
func create(tmpl, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	tmpl.SerialNumber = big.NewInt(lastSerial.Add(1))
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	return cert, key, nil
}
