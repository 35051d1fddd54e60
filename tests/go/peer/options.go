package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"

	"sectrans"
)

// options are the TLS settings every command takes, turned into a
// sectrans.Config or a tls.Config.
type options struct {
	impl       string // "sectrans" or "gotls"
	certFile   string
	keyFile    string
	caFile     string // anchors; empty means the system store
	serverName string
	alpn       string // comma-separated
	maxVersion string // "1.2", "1.3" or ""
	clientAuth bool   // server: require and verify a client certificate
	insecure   bool
}

// tlsConn is what *sectrans.Conn and *tls.Conn both are.
type tlsConn interface {
	net.Conn
	Handshake() error
	ConnectionState() tls.ConnectionState
}

func (o *options) register(fs *flag.FlagSet) {
	fs.StringVar(&o.impl, "impl", "sectrans", "sectrans or gotls (crypto/tls)")
	fs.StringVar(&o.certFile, "cert", "", "certificate chain PEM file")
	fs.StringVar(&o.keyFile, "key", "", "private key PEM file")
	fs.StringVar(&o.caFile, "ca", "", "anchors PEM file (default: the system store)")
	fs.StringVar(&o.serverName, "name", "localhost", "server name (client)")
	fs.StringVar(&o.alpn, "alpn", "", "ALPN protocols, comma-separated")
	fs.StringVar(&o.maxVersion, "max", "", "maximum TLS version: 1.2 or 1.3")
	fs.BoolVar(&o.clientAuth, "clientauth", false, "server: require a verified client certificate")
	fs.BoolVar(&o.insecure, "insecure", false, "client: skip verification")
}

func (o *options) version() uint16 {
	switch o.maxVersion {
	case "1.2":
		return tls.VersionTLS12
	case "1.3":
		return tls.VersionTLS13
	}
	return 0
}

func (o *options) protocols() []string {
	if o.alpn == "" {
		return nil
	}
	return strings.Split(o.alpn, ",")
}

func (o *options) certificates() ([]tls.Certificate, error) {
	if o.certFile == "" {
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(o.certFile, o.keyFile)
	if err != nil {
		return nil, err
	}
	return []tls.Certificate{cert}, nil
}

func (o *options) anchors() ([]byte, error) {
	if o.caFile == "" {
		return nil, nil
	}
	return os.ReadFile(o.caFile)
}

// sectransConfig builds the sectrans side's Config.
func (o *options) sectransConfig() (*sectrans.Config, error) {
	certs, err := o.certificates()
	if err != nil {
		return nil, err
	}
	pem, err := o.anchors()
	if err != nil {
		return nil, err
	}
	config := &sectrans.Config{Certificates: certs, ServerName: o.serverName,
		NextProtos: o.protocols(), MaxVersion: o.version(), InsecureSkipVerify: o.insecure}
	if pem != nil {
		pool := sectrans.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, errors.New("no certificate in " + o.caFile)
		}
		config.RootCAs, config.ClientCAs = pool, pool
	}
	if o.clientAuth {
		config.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return config, nil
}

// goConfig builds the crypto/tls side's Config.
func (o *options) goConfig() (*tls.Config, error) {
	certs, err := o.certificates()
	if err != nil {
		return nil, err
	}
	pem, err := o.anchors()
	if err != nil {
		return nil, err
	}
	config := &tls.Config{Certificates: certs, ServerName: o.serverName,
		NextProtos: o.protocols(), MaxVersion: o.version(), InsecureSkipVerify: o.insecure,
		CurvePreferences: []tls.CurveID{tls.X25519}}
	if pem != nil {
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		config.RootCAs, config.ClientCAs = pool, pool
	}
	if o.clientAuth {
		config.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return config, nil
}

// wrapper returns a function that makes client or server connections with
// the chosen implementation; configs are built once, so connections share
// their session cache and ticket keys.
func (o *options) wrapper(isClient, resume bool) (func(net.Conn) tlsConn, error) {
	switch o.impl {
	case "sectrans":
		config, err := o.sectransConfig()
		if err != nil {
			return nil, err
		}
		if resume {
			config.ClientSessionCache = sectrans.NewLRUClientSessionCache(0)
		}
		return side(isClient,
			func(c net.Conn) tlsConn { return sectrans.Client(c, config) },
			func(c net.Conn) tlsConn { return sectrans.Server(c, config) }), nil
	case "gotls":
		config, err := o.goConfig()
		if err != nil {
			return nil, err
		}
		if resume {
			config.ClientSessionCache = tls.NewLRUClientSessionCache(0)
		}
		return side(isClient,
			func(c net.Conn) tlsConn { return tls.Client(c, config) },
			func(c net.Conn) tlsConn { return tls.Server(c, config) }), nil
	}
	return nil, fmt.Errorf("unknown -impl %q", o.impl)
}

// side picks the client or the server constructor.
func side(isClient bool, client, server func(net.Conn) tlsConn) func(net.Conn) tlsConn {
	if isClient {
		return client
	}
	return server
}

// statusOf returns the sectrans status code inside err, or 0.
func statusOf(err error) int32 {
	var e *sectrans.Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// describe summarises a connection's state for the reports.
func describe(state tls.ConnectionState) map[string]any {
	peer := ""
	if len(state.PeerCertificates) > 0 {
		peer = state.PeerCertificates[0].Subject.CommonName
	}
	return map[string]any{
		"ok": true, "version": tls.VersionName(state.Version),
		"cipher": tls.CipherSuiteName(state.CipherSuite), "alpn": state.NegotiatedProtocol,
		"resumed": state.DidResume, "peer": peer, "verified_chains": len(state.VerifiedChains),
		"server_name": state.ServerName,
	}
}
