package sectrans

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"sync"
	"testing"
	"time"

	"sectrans/testpki"
)

// testPKI is a test CA with leaves it signed (testpki), once per run.
type testPKI struct {
	caCert    *x509.Certificate
	server    tls.Certificate // localhost, 127.0.0.1
	other     tls.Certificate // other.example
	expired   tls.Certificate
	client    tls.Certificate // client auth
	untrusted tls.Certificate // from another CA
}

var (
	pkiOnce sync.Once
	thePKI  *testPKI
)

// getPKI returns the run's test PKI.
func getPKI(t testing.TB) *testPKI {
	pkiOnce.Do(func() {
		newCA := func(name string) *testpki.CA {
			ca, err := testpki.NewCA(name)
			if err != nil {
				t.Fatal(err)
			}
			return ca
		}
		issue := func(ca *testpki.CA, leaf testpki.Leaf) tls.Certificate {
			cert, err := ca.Issue(leaf)
			if err != nil {
				t.Fatal(err)
			}
			return cert
		}
		ca, otherCA := newCA("sectrans go test CA"), newCA("sectrans go untrusted CA")
		now := time.Now()
		localhost := []net.IP{net.ParseIP("127.0.0.1")}
		thePKI = &testPKI{
			caCert: ca.Cert,
			server: issue(ca, testpki.Leaf{DNSNames: []string{"localhost"}, IPAddresses: localhost}),
			other:  issue(ca, testpki.Leaf{DNSNames: []string{"other.example"}}),
			expired: issue(ca, testpki.Leaf{DNSNames: []string{"localhost"}, IPAddresses: localhost,
				NotBefore: now.Add(-3 * time.Hour), NotAfter: now.Add(-2 * time.Hour)}),
			client: issue(ca, testpki.Leaf{DNSNames: []string{"client.example"},
				ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}),
			untrusted: issue(otherCA, testpki.Leaf{DNSNames: []string{"localhost"}, IPAddresses: localhost}),
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
