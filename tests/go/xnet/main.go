// Command http2 checks HTTP/2 over sectrans with golang.org/x/net/http2,
// which accepts any net.Conn that has ConnectionState() tls.ConnectionState:
//
//   - a sectrans listener served by http2.Server.ServeConn, fetched by an
//     http2.Transport that dials with sectrans (DialTLSContext) and by Go's
//     own net/http client over crypto/tls;
//   - a crypto/tls net/http server (HTTP/2 by default) fetched by the
//     sectrans http2.Transport.
//
// Usage: http2 CA_FILE CERT_FILE KEY_FILE. It prints one JSON line per
// request and exits 1 on the first failure.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"golang.org/x/net/http2"
	"sectrans"
)

func main() {
	if len(os.Args) != 4 {
		fail(fmt.Errorf("usage: http2 CA_FILE CERT_FILE KEY_FILE"))
	}
	caPEM, err := os.ReadFile(os.Args[1])
	check(err)
	cert, err := tls.LoadX509KeyPair(os.Args[2], os.Args[3])
	check(err)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s", r.Proto, r.URL.Path)
	})

	sectransURL := serveSectransH2(cert, handler)
	h2Client := sectransH2Client(caPEM)
	get(h2Client, "sectrans client, sectrans server", sectransURL+"/a")

	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	goClient := &http.Client{Transport: &http.Transport{ForceAttemptHTTP2: true,
		TLSClientConfig: &tls.Config{RootCAs: roots}}}
	get(goClient, "crypto/tls client, sectrans server", sectransURL+"/b")

	goServer := &http.Server{Handler: handler, TLSConfig: &tls.Config{
		Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2"}}}
	l, err := tls.Listen("tcp", "127.0.0.1:0", goServer.TLSConfig)
	check(err)
	go goServer.Serve(l)
	get(h2Client, "sectrans client, crypto/tls server", "https://"+l.Addr().String()+"/c")
}

// serveSectransH2 serves HTTP/2 on a sectrans listener (ALPN "h2") and
// returns its base URL.
func serveSectransH2(cert tls.Certificate, handler http.Handler) string {
	l, err := sectrans.Listen("tcp", "127.0.0.1:0", &sectrans.Config{
		Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2"}})
	check(err)
	server := &http2.Server{}
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				// ServeConn reads ConnectionState at once: handshake first.
				if err := conn.(*sectrans.Conn).Handshake(); err != nil {
					conn.Close()
					return
				}
				server.ServeConn(conn, &http2.ServeConnOpts{Handler: handler})
			}()
		}
	}()
	return "https://" + l.Addr().String()
}

// sectransH2Client is an http.Client speaking HTTP/2 over sectrans.
func sectransH2Client(caPEM []byte) *http.Client {
	pool := sectrans.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	dialer := &sectrans.Dialer{Config: &sectrans.Config{RootCAs: pool, NextProtos: []string{"h2"}}}
	return &http.Client{Transport: &http2.Transport{
		DialTLSContext: func(ctx context.Context, network, addr string, _ *tls.Config) (net.Conn, error) {
			return dialer.DialContext(ctx, network, addr)
		}}}
}

// get fetches url and prints what came back; HTTP/2 is required.
func get(client *http.Client, what, url string) {
	client.Timeout = 20 * time.Second
	resp, err := client.Get(url)
	check(err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	check(err)
	if resp.ProtoMajor != 2 {
		fail(fmt.Errorf("%s: got %s, want HTTP/2", what, resp.Proto))
	}
	line, _ := json.Marshal(map[string]any{"ok": true, "what": what, "proto": resp.Proto, "body": string(body)})
	fmt.Println(string(line))
}

func check(err error) {
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	line, _ := json.Marshal(map[string]any{"ok": false, "error": err.Error()})
	fmt.Println(string(line))
	os.Exit(1)
}
