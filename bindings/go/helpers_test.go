package sectrans

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"
)

// testPKI is a test CA with leaves made by crypto/x509, once per run.
type testPKI struct {
	caCert      *x509.Certificate
	caPEM       []byte
	server      tls.Certificate // localhost, 127.0.0.1
	other       tls.Certificate // other.example
	expired     tls.Certificate
	client      tls.Certificate // client auth
	untrusted   tls.Certificate // from another CA
	untrustedCA *x509.Certificate
}

var (
	pkiOnce sync.Once
	thePKI  *testPKI
)

func newKey(t testing.TB) *ecdsa.PrivateKey {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func makeCA(t testing.TB, name string) (*x509.Certificate, *ecdsa.PrivateKey) {
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return cert, key
}

func makeLeaf(t testing.TB, ca *x509.Certificate, caKey *ecdsa.PrivateKey, dns []string, ips []net.IP,
	usage x509.ExtKeyUsage, notBefore, notAfter time.Time) tls.Certificate {
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "leaf"},
		NotBefore: notBefore, NotAfter: notAfter, DNSNames: dns, IPAddresses: ips,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// getPKI returns the run's test PKI.
func getPKI(t testing.TB) *testPKI {
	pkiOnce.Do(func() {
		ca, caKey := makeCA(t, "sectrans go test CA")
		other, otherKey := makeCA(t, "sectrans go untrusted CA")
		now := time.Now()
		localhost := []net.IP{net.ParseIP("127.0.0.1")}
		thePKI = &testPKI{
			caCert: ca, caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw}),
			server: makeLeaf(t, ca, caKey, []string{"localhost"}, localhost, x509.ExtKeyUsageServerAuth,
				now.Add(-time.Hour), now.Add(time.Hour)),
			other: makeLeaf(t, ca, caKey, []string{"other.example"}, nil, x509.ExtKeyUsageServerAuth,
				now.Add(-time.Hour), now.Add(time.Hour)),
			expired: makeLeaf(t, ca, caKey, []string{"localhost"}, localhost, x509.ExtKeyUsageServerAuth,
				now.Add(-3*time.Hour), now.Add(-2*time.Hour)),
			client: makeLeaf(t, ca, caKey, []string{"client.example"}, nil, x509.ExtKeyUsageClientAuth,
				now.Add(-time.Hour), now.Add(time.Hour)),
			untrusted: makeLeaf(t, other, otherKey, []string{"localhost"}, localhost, x509.ExtKeyUsageServerAuth,
				now.Add(-time.Hour), now.Add(time.Hour)),
			untrustedCA: other,
		}
	})
	return thePKI
}

// pool returns a CertPool holding the test CA.
func (p *testPKI) pool() *CertPool {
	pool := NewCertPool()
	pool.AddCert(p.caCert)
	return pool
}

// x509Pool returns a crypto/x509 pool holding the test CA.
func (p *testPKI) x509Pool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.caCert)
	return pool
}

func (p *testPKI) serverConfig() *Config {
	return &Config{Certificates: []tls.Certificate{p.server}}
}

func (p *testPKI) clientConfig() *Config {
	return &Config{RootCAs: p.pool(), ServerName: "localhost"}
}

// tcpPair returns both ends of a TCP connection on 127.0.0.1.
func tcpPair(t testing.TB) (client, server net.Conn) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			accepted <- nil
			return
		}
		accepted <- c
	}()
	client, err = net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

// handshakePair runs a sectrans client and a sectrans server handshake
// over loopback and returns both ends and their handshake errors.
func handshakePair(t testing.TB, clientConfig, serverConfig *Config) (*Conn, *Conn, error, error) {
	rawClient, rawServer := tcpPair(t)
	client, server := Client(rawClient, clientConfig), Server(rawServer, serverConfig)
	t.Cleanup(func() { client.Close(); server.Close() })
	serverErr := make(chan error, 1)
	go func() {
		err := server.Handshake()
		if err != nil {
			rawServer.Close() // unblocks a client waiting for more
		}
		serverErr <- err
	}()
	clientErr := client.Handshake()
	if clientErr != nil {
		rawClient.Close() // unblocks a server waiting for more
	}
	return client, server, clientErr, <-serverErr
}

// mustHandshake is handshakePair that fails the test on an error.
func mustHandshake(t testing.TB, clientConfig, serverConfig *Config) (*Conn, *Conn) {
	client, server, clientErr, serverErr := handshakePair(t, clientConfig, serverConfig)
	if clientErr != nil || serverErr != nil {
		t.Fatalf("handshake: client %v, server %v", clientErr, serverErr)
	}
	return client, server
}
