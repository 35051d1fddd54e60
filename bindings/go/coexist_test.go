package sectrans

import (
	"crypto/tls"
	"io"
	"net"
	"testing"
)

// TestCoexistsWithCryptoTLS: one process uses crypto/tls and sectrans at
// once, each as client of the other and with the same certificates.
func TestCoexistsWithCryptoTLS(t *testing.T) {
	p := getPKI(t)
	for _, version := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		rawClient, rawServer := tcpPair(t)
		goServer := tls.Server(rawServer, &tls.Config{Certificates: []tls.Certificate{p.server}})
		go func() { io.Copy(goServer, goServer); goServer.Close() }()
		client := p.clientConfig()
		client.MaxVersion = version
		echo(t, Client(rawClient, client), version)

		rawClient, rawServer = tcpPair(t)
		goClient := tls.Client(rawClient, &tls.Config{RootCAs: p.x509Pool(), ServerName: "localhost", MaxVersion: version})
		server := Server(rawServer, p.serverConfig())
		go func() { io.Copy(server, server); server.Close() }()
		if err := goClient.Handshake(); err != nil {
			t.Fatal(err)
		}
		if got := goClient.ConnectionState().Version; got != version {
			t.Fatalf("crypto/tls client negotiated %x", got)
		}
		goClient.Close()
	}
}

// echo writes to an echoing peer and checks the answer and the version.
func echo(t *testing.T, c net.Conn, version uint16) {
	t.Helper()
	defer c.Close()
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("echo %q, %v", buf, err)
	}
	if got := c.(*Conn).ConnectionState().Version; got != version {
		t.Fatalf("version %x, want %x", got, version)
	}
}
